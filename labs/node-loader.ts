/**
 * Reading labs from disk (Node: the CLI, the main process, tests). The engine itself never touches a file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_MANIFESTS } from './catalog';
import { loadLab } from './engine/load';
import type { LabManifest, LoadedLab } from './engine/types';

/**
 * The `labs/` folder: `SVCLAB_LABS_DIR` when set (packaged builds), else next to this file in the source tree, else
 * `../labs` from a bundle in `dist/`, else `./labs`.
 */
export function labsDir(): string {
  if (process.env.SVCLAB_LABS_DIR) return process.env.SVCLAB_LABS_DIR;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const first = LAB_MANIFESTS[0]?.id ?? '';
  for (const dir of [here, path.join(here, '..', 'labs'), path.resolve('labs')]) {
    if (fs.existsSync(path.join(dir, first, 'steps'))) return dir;
  }
  return here;
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
