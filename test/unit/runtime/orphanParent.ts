// Test fixture process: starts a run that never ends and prints its own pid and the onnxruntime child's;
// the test then kills this process hard and checks that the child does not outlive it.
import { DataType } from '../../../src/core/model/proto.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { endlessModel } from './runtimeModels.js';

const client = RuntimeClient.start();
const session = await client.open(endlessModel());
process.stdout.write(`${process.pid} ${client.pid}\n`);
void session.run({ x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(0) } }).catch(() => undefined);
setInterval(() => undefined, 1000);
