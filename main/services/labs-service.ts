/**
 * The labs the app offers. Labs are typed manifests (`labs/<nn-slug>/lab.ts`) plus Markdown steps; the build
 * gathers every one of them into a catalog (`virtual:lab-catalog`, see scripts/build.mjs), so the packaged app
 * needs no TypeScript or lab folder at run time. This service turns the catalog into the contract's plain data.
 * Grading (checks, hints, solve) is the labs engine's job.
 */
import type { LabDetail, LabSummary, ProfileName } from '../contract';

/** What the service needs of a loaded lab (structurally the labs engine's `LoadedLab`). */
export interface CatalogLab {
  readonly manifest: {
    readonly id: string;
    readonly title: string;
    readonly summary: string;
    readonly profile: ProfileName;
    readonly defaultSeed?: number;
    readonly steps: readonly { readonly id: string; readonly title: string }[];
  };
  /** Step id → Markdown. */
  readonly markdown: Readonly<Record<string, string>>;
}

export class LabsService {
  readonly #labs: ReadonlyMap<string, CatalogLab>;

  constructor(catalog: readonly CatalogLab[]) {
    const sorted = [...catalog].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
    this.#labs = new Map(sorted.map((l) => [l.manifest.id, l]));
  }

  list(): LabSummary[] {
    return [...this.#labs.values()].map((l) => summary(l));
  }

  get(labId: string): LabDetail | null {
    const lab = this.#labs.get(labId);
    if (!lab) return null;
    return {
      ...summary(lab),
      steps: lab.manifest.steps.map((s) => ({ id: s.id, title: s.title, markdown: lab.markdown[s.id] ?? '' })),
    };
  }

  stepCount(labId: string): number | undefined {
    return this.#labs.get(labId)?.manifest.steps.length;
  }

  /** The seed a lab's world starts from when the learner did not pick one. */
  defaultSeed(labId: string): number | undefined {
    return this.#labs.get(labId)?.manifest.defaultSeed;
  }
}

function summary(l: CatalogLab): LabSummary {
  const m = l.manifest;
  return { id: m.id, title: m.title, summary: m.summary, profile: m.profile, stepCount: m.steps.length };
}
