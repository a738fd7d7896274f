/**
 * Test helper process for progress-store.spec.ts: writes step completions and transcript rows as fast as it can
 * and reports each one on stdout only after its transaction committed. The test SIGKILLs it mid-burst and checks
 * that every reported write is in the database.
 */
import { openProgressDatabase } from './open-database';
import { ProgressStore } from './progress-store';

const file = process.argv[2];
if (!file) throw new Error('usage: durability-child DBFILE');
const { db } = openProgressDatabase(file);
const store = new ProgressStore(db);
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  store.recordStep({ labId: `lab-${i % 7}`, stepId: `step-${i}`, kind: 'complete', seed: 42 }, { now: 1_000 + i });
  store.appendTranscript(
    {
      labId: `lab-${i % 7}`,
      sessionId: 's1',
      host: 'workstation',
      prompt: '$ ',
      command: `echo ${i}`,
      output: `${i}\n`,
      exitCode: 0,
      startedAt: i,
    },
    1_000 + i,
  );
  process.stdout.write(`${i}\n`);
}
