/**
 * Checks a file-set on a medium with the third-party readers, the way a receiving site would
 * meet it: DCMTK's dcmdump reads the DICOMDIR, pydicom's FileSet loads every instance and each
 * record's SOP Instance UID matches the file it points to, DCMTK's dcmmkdir +A (on a scratch
 * copy) finds every file on the medium already recorded, and the medium holds no file that no
 * record names (a lost record) and no temporary file.
 */
import { cp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { runPython, runTool } from './run-tool.js';

export interface FileSetSeen {
  /** SOP Instance UIDs of the instances pydicom loaded, sorted. */
  readonly sops: string[];
  /** Every file on the medium, relative, `/`-separated, sorted. */
  readonly files: string[];
}

export async function verifyFileSet(root: string, scratch: string, expectedSops: readonly string[]): Promise<FileSetSeen> {
  const dump = await runTool('dcmdump', ['-q', join(root, 'DICOMDIR')]);
  expect(dump.code, dump.stderr).toBe(0);

  const py = await runPython(
    `
import sys, json, os, pydicom
from pydicom.fileset import FileSet
fs = FileSet(pydicom.dcmread(sys.argv[1]))
out = {"sops": [], "paths": [], "wrong": []}
for inst in fs:
    ds = inst.load()
    if ds.SOPInstanceUID != inst.SOPInstanceUID:
        out["wrong"].append([inst.path, inst.SOPInstanceUID, ds.SOPInstanceUID])
    out["sops"].append(str(inst.SOPInstanceUID))
    out["paths"].append(os.path.relpath(inst.path, sys.argv[2]))
print(json.dumps(out))
`,
    [join(root, 'DICOMDIR'), root],
  );
  expect(py.code, py.stderr).toBe(0);
  const got = JSON.parse(py.stdout) as { sops: string[]; paths: string[]; wrong: string[][] };
  expect(got.wrong, 'records pointing at another instance').toEqual([]);
  expect([...got.sops].sort(), 'instances in the file-set').toEqual([...expectedSops].sort());
  expect(new Set(got.paths).size, 'two records share one file').toBe(got.paths.length);

  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
  expect(files.filter((f) => f.split('/').pop()!.startsWith('.')), 'hidden or temporary files left on the medium').toEqual([]);
  expect(files.filter((f) => f !== 'DICOMDIR'), 'files no record names').toEqual([...got.paths].sort());

  const copy = join(scratch, `dcmmkdir-${Date.now()}`);
  await cp(root, copy, { recursive: true });
  const mk = await runTool('dcmmkdir', ['-Pfl', '+A', '-nb', '+r', 'DICOM'], { cwd: copy });
  const said = mk.stdout + mk.stderr;
  expect(said).not.toMatch(/^E:|^F:|cannot be added/m);
  expect(mk.code, said).toBe(0);
  expect([...said.matchAll(/directory record for this SOP instance already exists/g)]).toHaveLength(expectedSops.length);
  return { sops: [...got.sops].sort(), files };
}

/** The SOP Instance UIDs of Part 10 files, read by pydicom (not by us). */
export async function sopsOf(paths: readonly string[]): Promise<string[]> {
  const r = await runPython(
    `
import sys, json, pydicom
print(json.dumps([str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in sys.argv[1:]]))
`,
    paths,
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}
