/**
 * The labs the app offers, read from the `labs/` folder: one folder per lab (`labs/<nn-slug>/`), its steps as
 * `steps/*.md` in file-name order, its title from the first `# ` heading of `README.md` (or the folder name).
 * The typed manifests (checks, setup, solve) are run by the labs engine; this service only lists what is there.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LabDetail, LabStepInfo, LabSummary, ProfileName } from '../contract';

const LAB_DIR_RE = /^\d{2}-[a-z0-9-]+$/;

function firstHeading(markdown: string): string | undefined {
  return /^#\s+(.+?)\s*$/m.exec(markdown)?.[1];
}

function firstParagraph(markdown: string): string {
  const body = markdown.replace(/^#.*$/gm, '').trim();
  return (body.split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ').trim();
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export class LabsService {
  readonly #dir: string;

  constructor(labsDir: string) {
    this.#dir = labsDir;
  }

  list(): LabSummary[] {
    return this.#labDirs().map((d) => this.#summary(d, this.#steps(d)));
  }

  get(labId: string): LabDetail | null {
    if (!LAB_DIR_RE.test(labId) || !this.#labDirs().includes(labId)) return null;
    const steps = this.#steps(labId);
    return { ...this.#summary(labId, steps), steps };
  }

  stepCount(labId: string): number | undefined {
    return this.get(labId)?.steps.length;
  }

  #labDirs(): string[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.#dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((e) => e.isDirectory() && LAB_DIR_RE.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  #steps(labId: string): LabStepInfo[] {
    const stepsDir = path.join(this.#dir, labId, 'steps');
    let files: string[];
    try {
      files = fs.readdirSync(stepsDir).filter((f) => f.endsWith('.md')).sort();
    } catch {
      return [];
    }
    return files.map((f) => {
      const markdown = readText(path.join(stepsDir, f)) ?? '';
      const id = f.replace(/\.md$/, '');
      return { id, title: firstHeading(markdown) ?? id, markdown };
    });
  }

  #summary(labId: string, steps: readonly LabStepInfo[]): LabSummary {
    const readme = readText(path.join(this.#dir, labId, 'README.md')) ?? '';
    const profile: ProfileName = /^profile:\s*cloud\s*$/m.test(readme) ? 'cloud' : 'local';
    return {
      id: labId,
      title: firstHeading(readme) ?? labId.replace(/^\d{2}-/, '').replace(/-/g, ' '),
      summary: firstParagraph(readme.replace(/^profile:.*$/m, '')),
      profile,
      stepCount: steps.length,
    };
  }
}
