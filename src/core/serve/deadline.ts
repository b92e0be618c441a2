// When the supervisor next looks for a run past the timeout. It learns of a run only from the state file
// (no message per request), so it looks exactly when the earliest run could reach its deadline: a run seen
// running is due at its start plus the timeout; one that starts later cannot be due before now plus the
// timeout. No run is ever stopped late by more than a timer's lateness, and an idle server looks once a
// timeout, not on a clock.

/** The earliest time (ms, Date.now() scale) a run may be past `timeoutMs`, given the starts of the runs seen now. */
export function nextDeadline(runStarts: Iterable<number>, now: number, timeoutMs: number): number {
  let next = now + timeoutMs;
  for (const since of runStarts) next = Math.min(next, since + timeoutMs);
  return next;
}

/** setTimeout's longest delay: a longer one fires at once. */
export const longestDelayMs = 2 ** 31 - 1;
