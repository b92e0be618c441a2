// Child process: the floor under the runtime client's round trip. Forks a Node child the way the client
// forks onnxruntime's (advanced serialization, piped stdio), sends it requests of the run's input size and
// has it answer with a reply of the run's output size, doing nothing else. Prints {p50} in ms.
import { fork } from 'node:child_process';

const [role, inputText, outputText, iterationsText] = process.argv.slice(2);

if (role === 'echo') {
  const floats = Math.ceil(Number(outputText) / 4);
  process.on('message', (m: { id: number }) => {
    process.send!({ id: m.id, ok: true, result: { outputs: { y: { dtype: 1, dims: [floats], data: new Float32Array(floats) } }, ms: 0 } });
  });
} else {
  const child = fork(__filename, ['echo', inputText, outputText], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const waiting = new Map<number, () => void>();
  child.on('message', (m: { id: number }) => {
    waiting.get(m.id)?.();
    waiting.delete(m.id);
  });
  let next = 0;
  const floats = Math.ceil(Number(inputText) / 4);
  const call = () => new Promise<void>((resolve) => {
    const id = ++next;
    waiting.set(id, resolve);
    child.send({ id, kind: 'run', session: 1, feeds: { x: { dtype: 1, dims: [floats], data: new Float32Array(floats) } } });
  });
  void (async () => {
    const iterations = Number(iterationsText);
    for (let i = 0; i < 20; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await call();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const rank = (times.length - 1) / 2;
    const p50 = times[Math.floor(rank)] + (times[Math.ceil(rank)] - times[Math.floor(rank)]) * (rank - Math.floor(rank));
    console.log(JSON.stringify({ p50 }));
    child.kill();
  })();
}
