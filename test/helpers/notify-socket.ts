/**
 * A datagram unix socket standing in for systemd's notification socket, run by /usr/bin/python3
 * (Node has no datagram unix sockets): prints each datagram with the sender's PID (from
 * SCM_CREDENTIALS) and closes any passed file descriptors, as systemd does, which releases
 * systemd-notify's BARRIER=1 wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCRIPT = String.raw`
import array, json, os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("LISTENING", flush=True)
while True:
    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(64 * 4) + socket.CMSG_SPACE(12))
    pid, nfds = None, 0
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % 4])
            for fd in fds:
                os.close(fd)
                nfds += 1
        elif level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    print(json.dumps({"text": msg.decode(), "pid": pid, "fds": nfds}), flush=True)
`;

export interface Datagram {
  readonly text: string;
  readonly pid: number | null;
  readonly fds: number;
}

export interface NotifySocket {
  readonly path: string;
  /** Every datagram received so far, BARRIER=1 ones included. */
  readonly received: Datagram[];
  /** The messages that are not barriers. */
  messages(): Datagram[];
  /** Resolves when `pred` holds over the received datagrams. */
  until(pred: (all: Datagram[]) => boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startNotifySocket(path: string): Promise<NotifySocket> {
  const child: ChildProcess = spawn('/usr/bin/python3', ['-c', SCRIPT, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received: Datagram[] = [];
  const waiters = new Set<() => void>();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (line === 'LISTENING') return resolve();
      received.push(JSON.parse(line) as Datagram);
      for (const w of [...waiters]) w();
    });
    child.once('exit', (code) => reject(new Error(`notify socket helper exited (${code})`)));
  });
  return {
    path,
    received,
    messages: () => received.filter((d) => d.text !== 'BARRIER=1'),
    until: (pred) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (pred(received)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
