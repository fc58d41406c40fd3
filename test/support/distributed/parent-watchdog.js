/* global process, setInterval, clearInterval, setTimeout */
// Preloaded into every process of the distributed e2e (NODE_OPTIONS=--require): if the test process that
// spawned it dies without stopping it (killed by a signal, so no exit handler ran), the process is orphaned
// and would hold its queues forever. It then shuts down as on SIGTERM, and exits for good 10 s later.
'use strict';

const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 10_000).unref();
}, 1_000);
timer.unref();
