import type { LabRuntime } from '../../labs/engine/session';

/** The lab runtime loaded on first use, as the web shell loads it (specs that build an app rarely need it). */
export const lazyLabRuntime = (): Promise<LabRuntime> => import('../services/lab-runtime').then((m) => m.labRuntime);
