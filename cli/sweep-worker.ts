// A sweep worker thread: receives groups of points (one configuration's
// workloads), runs them one after another, and posts each record back as soon
// as it is finished, so the main thread can write it before the next one.
//
// Messages in:  { type: 'points', points: SweepPoint[] }
// Messages out: { type: 'record', record } per point, then { type: 'idle' }.

import { parentPort, workerData } from 'node:worker_threads';
import { createPointRunner, type RunnerContext } from './sweep-point.js';
import type { SweepPoint } from './sweep-spec.js';

const runner = createPointRunner(workerData as RunnerContext);
const port = parentPort!;

port.on('message', async (msg: { type: 'points'; points: SweepPoint[] }) => {
  for (const point of msg.points) port.postMessage({ type: 'record', record: await runner.run(point) });
  port.postMessage({ type: 'idle' });
});
port.postMessage({ type: 'idle' });
