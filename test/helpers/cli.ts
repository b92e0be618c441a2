// Runs the real CLI (src/cli.ts through tsx), as a user would.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export function runCli(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
}
