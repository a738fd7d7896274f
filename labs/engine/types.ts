/**
 * The lab format as data. A lab is a typed manifest (`labs/<nn-slug>/lab.ts`) plus Markdown prose
 * (`labs/<nn-slug>/steps/*.md`). Structure — parameters, setup, steps, hints, checks, solutions, quizzes — lives
 * in the manifest; words live in Markdown. Checks are named predicates over the emulated world, the command
 * transcript and packet traces; each returns a verdict and, when it fails, a message the learner can act on.
 *
 * Everything a UI renders (`LabView`, `StepView`, `CheckResult`, `QuizView`) is plain JSON-safe data, so it crosses
 * IPC and WebSockets unchanged.
 */
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { World } from '../../emulator/world';
import type { ClusterView } from './cluster-view';

export type ProfileName = 'local' | 'cloud';

/** A heading of the seed document this lab reproduces, quoted verbatim, and what of it the lab covers. */
export interface SeedScenario {
  /** The seed's heading or scenario line, verbatim (e.g. `Scenario: Is a ClusterIP Created for NodePort or LoadBalancer?`). */
  readonly heading: string;
  /** Optional bullet(s) of the seed the lab demonstrates. */
  readonly covers?: readonly string[];
}

/**
 * A parameter randomized per learner seed, as Packet Tracer's Variable Manager: names, ports, replica counts. It is
 * rendered into Markdown, hints, setup and solutions with `{{name}}`.
 */
export type ParamSpec =
  | { readonly kind: 'choice'; readonly values: readonly (string | number)[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'fixed'; readonly value: string | number };

export type ParamValues = Readonly<Record<string, string | number>>;

/** A fault injected during setup (a Service whose selector matches nothing, a closed security group …). */
export interface FaultDef {
  readonly id: string;
  /** For instructors: what is broken and why. Never shown to the learner before the lab ends. */
  readonly description: string;
  /** Command lines that create the fault (run after `setup`). */
  readonly commands: readonly string[];
}

export type CheckOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

export const pass: CheckOutcome = { ok: true };
export function fail(message: string): CheckOutcome {
  return { ok: false, message };
}

/** What a check sees. Checks must be cheap: they run after every command the learner types. */
export interface CheckContext {
  readonly world: World;
  /** Read-only helpers over the API store, the network and the traces. */
  readonly cluster: ClusterView;
  /** The learner's commands so far (setup commands excluded), in order, with their real output. */
  readonly transcript: readonly TranscriptEntry[];
  readonly params: ParamValues;
}

export interface CheckDef {
  /** Stable id, unique in the lab (used in JUnit output and progress). */
  readonly id: string;
  /** What is checked, in words (may use `{{var}}`). */
  readonly description: string;
  readonly evaluate: (ctx: CheckContext) => CheckOutcome;
}

export interface QuizChoice {
  readonly id: string;
  readonly text: string;
  readonly correct: boolean;
  /** Why this choice is right or wrong; shown after answering. */
  readonly explanation: string;
}

export interface QuizDef {
  readonly question: string;
  /** `single`: exactly one choice is correct; `multiple`: the learner must pick exactly the correct set. */
  readonly kind: 'single' | 'multiple';
  readonly choices: readonly QuizChoice[];
}

export interface StepDef {
  readonly id: string;
  readonly title: string;
  /** Markdown file relative to the lab folder; default `steps/<id>.md` (so step ids follow the file names). */
  readonly instructions?: string;
  /** Steps that must be completed first (a DAG, as iximiuz's `needs`). */
  readonly needs?: readonly string[];
  /** Progressive hints, least revealing first (Markdown, `{{var}}` allowed). */
  readonly hints?: readonly string[];
  readonly checks?: readonly CheckDef[];
  /** Command lines that complete the step (`{{var}}` allowed). Run by the lab's test, shown on "Show solution". */
  readonly solution?: readonly string[];
  readonly quiz?: QuizDef;
}

export interface LabManifest {
  /** Equals the folder name, e.g. `03-nodeport`. */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly scenarios: readonly SeedScenario[];
  readonly profile: ProfileName;
  /** Default learner seed when none is given. */
  readonly defaultSeed?: number;
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /** Values computed from the drawn parameters (e.g. a second port that must differ from the first). */
  readonly derive?: (params: ParamValues) => Record<string, string | number>;
  /** Command lines run headlessly before the learner starts (`{{var}}` allowed). */
  readonly setup?: readonly string[];
  readonly faults?: readonly FaultDef[];
  readonly steps: readonly StepDef[];
  /**
   * Capabilities of the emulator the lab needs (see `capabilities.ts`). When one is missing the lab's test is
   * skipped with the missing capability printed, and the app can show the lab as unavailable.
   */
  readonly requires?: readonly Capability[];
}

export type Capability =
  | 'shell'
  | 'store'
  | 'kubectl'
  | 'network'
  | 'traces'
  | 'kube-proxy'
  | 'dns'
  | 'cloud'
  | 'tunnel'
  | 'ingress'
  /** Cloud security groups really drop what they do not allow (NodePort from the internet times out). */
  | 'firewall'
  /** `corp-vm`, a shell host inside the VPC (`ssh corp-vm`). */
  | 'vpc-host';

/** A manifest with its Markdown read in. */
export interface LoadedLab {
  readonly manifest: LabManifest;
  /** Step id → raw Markdown (before parameter rendering). */
  readonly markdown: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------------------------
// What the UI renders (plain data)

export interface CheckResult {
  readonly id: string;
  readonly description: string;
  readonly passed: boolean;
  /** The failure message, when failed. */
  readonly message?: string;
}

export interface QuizView {
  readonly question: string;
  readonly kind: 'single' | 'multiple';
  /** Choices without their verdicts; verdicts come back from answering. */
  readonly choices: readonly { readonly id: string; readonly text: string }[];
  /** The learner's last answer, if any. */
  readonly answered?: readonly string[];
  readonly correct?: boolean;
}

export interface QuizFeedback {
  readonly correct: boolean;
  /** Per chosen or correct choice: whether it was chosen, whether it is correct, and why. */
  readonly choices: readonly { readonly id: string; readonly chosen: boolean; readonly correct: boolean; readonly explanation: string }[];
}

export type StepState = 'locked' | 'active' | 'completed';

export interface StepView {
  readonly id: string;
  readonly title: string;
  /** Instructions, parameters rendered. */
  readonly markdown: string;
  /** Command lines of the ```bash fences, in order, ready to paste into the terminal. */
  readonly snippets: readonly string[];
  readonly needs: readonly string[];
  readonly state: StepState;
  readonly checks: readonly CheckResult[];
  readonly hintCount: number;
  /** Hints revealed so far, rendered. */
  readonly hintsShown: readonly string[];
  readonly attempts: number;
  readonly quiz?: QuizView;
  readonly hasSolution: boolean;
}

export interface LabView {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly profile: ProfileName;
  readonly seed: number;
  readonly scenarios: readonly SeedScenario[];
  readonly params: ParamValues;
  readonly steps: readonly StepView[];
  /** 0–100, checks passed (completed steps count whole) over all checks, quizzes counting one each. */
  readonly completion: number;
  readonly completed: boolean;
}

/** `svclab labs list` and the app's lab picker. */
export interface LabListing {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly profile: ProfileName;
  readonly stepCount: number;
  readonly checkCount: number;
  readonly scenarios: readonly string[];
  readonly requires: readonly Capability[];
}
