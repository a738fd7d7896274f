/**
 * Reading labs from disk (Node: the CLI, the main process, tests). The engine itself never touches a file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_MANIFESTS } from './catalog';
import { loadLab } from './engine/load';
import type { LabManifest, LoadedLab } from './engine/types';

/** The `labs/` folder (next to this file in the source tree; `SVCLAB_LABS_DIR` overrides it for packaged builds). */
export function labsDir(): string {
  return process.env.SVCLAB_LABS_DIR ?? path.dirname(fileURLToPath(import.meta.url));
}

export function readLabFile(dir: string = labsDir()): (labId: string, rel: string) => string {
  return (labId, rel) => fs.readFileSync(path.join(dir, labId, rel), 'utf8');
}

export function loadFromDisk(manifest: LabManifest, dir: string = labsDir()): LoadedLab {
  return loadLab(manifest, readLabFile(dir));
}

export function loadAllLabs(dir: string = labsDir()): LoadedLab[] {
  return LAB_MANIFESTS.map((m) => loadFromDisk(m, dir));
}

export function findLab(id: string, dir: string = labsDir()): LoadedLab | undefined {
  const m = LAB_MANIFESTS.find((x) => x.id === id || x.id.replace(/^\d{2}-/, '') === id);
  return m ? loadFromDisk(m, dir) : undefined;
}
