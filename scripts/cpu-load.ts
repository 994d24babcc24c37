/**
 * Keeps one CPU core busy for a bounded time, then exits: the "another process keeps one core
 * busy" load under which the suite must stay green (docs/development.md, Tests).
 *
 *   node --import tsx scripts/cpu-load.ts [seconds]     (default 900, at most 14400)
 *
 * Start it by hand in another terminal (or with `&`) next to `npm test` or `npx vitest run <file>`;
 * Ctrl-C or kill stops it early. One process spins one core; start two for two.
 */
const DEFAULT_SECONDS = 900;
const MAX_SECONDS = 4 * 3600;
/** Spins in slices so timers and signals still run between them. */
const SLICE_MS = 100;

const arg = process.argv[2];
const seconds = arg === undefined ? DEFAULT_SECONDS : Number(arg);
if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
  process.stderr.write(`usage: node --import tsx scripts/cpu-load.ts [seconds]  (a number of seconds, 1 to ${MAX_SECONDS}; default ${DEFAULT_SECONDS})\n`);
  process.exit(64);
}

const started = Date.now();
const end = started + seconds * 1000;
let slices = 0;
/** Written by the spin loop so the engine cannot drop the work. */
let sink = 0;
process.stdout.write(`[cpu-load] pid ${process.pid}: one core busy for ${seconds} s (until ${new Date(end).toISOString()})\n`);

const finish = (why: string) => {
  process.stdout.write(`[cpu-load] ${why} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(0);
};
process.once("SIGINT", () => finish("stopped (SIGINT)"));
process.once("SIGTERM", () => finish("stopped (SIGTERM)"));

function spin(): void {
  const sliceEnd = Math.min(Date.now() + SLICE_MS, end);
  while (Date.now() < sliceEnd) sink = (sink * 1_103_515_245 + 12_345) % 2_147_483_648;
  slices += 1;
  if (Date.now() >= end) finish(`done (${slices} slices)`);
  else setImmediate(spin);
}
spin();
