/**
 * A throw-away PKI for the TLS tests, made with openssl at test time (never committed): a CA,
 * a server certificate for 127.0.0.1 / localhost and a client certificate, all signed by it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './run-tool.js';

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  const r = await runTool('openssl', args, { cwd, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sonicart test CA', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  for (const who of ['server', 'client']) {
    await writeFile(join(dir, `${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=sonicart test ${who}`, '-keyout', `${who}.key`, '-out', `${who}.csr`], dir);
    await openssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${who}.ext`, '-out', `${who}.crt`], dir);
  }
  return {
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}
