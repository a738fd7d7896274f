/** Words and names the lab panel shows, kept out of the component so they are tested directly. */
import type { StepView } from '../../../main/contract';

export function stateLabel(state: StepView['state']): string {
  return state === 'completed' ? 'Completed' : state === 'locked' ? 'Locked' : 'In progress';
}

/** `03-nodeport-2026-11-28T08-30-00Z.json`: sortable, and valid on every file system. */
export function exportFileName(labId: string, exportedAt: number): string {
  const stamp = new Date(exportedAt).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${labId}-${stamp}.json`;
}
