// Child process: the floor under any Node HTTP inference server. A minimal node:http server with
// onnxruntime-node in this process (no child, no validation beyond what it needs to build the feeds)
// that answers the same Open Inference Protocol requests as `onnx-lens serve`: JSON tensors in, JSON
// out; or binary tensor data in, binary out. Prints `infer: POST URL` once it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';

interface WireInput {
  name: string;
  shape: number[];
  datatype: string;
  data?: number[];
  parameters?: { binary_data_size?: number };
}

const arrays: Record<string, [ort.Tensor.Type, Float32ArrayConstructor | BigInt64ArrayConstructor]> = {
  FP32: ['float32', Float32Array], INT64: ['int64', BigInt64Array],
};

function feedsOf(body: Buffer, headerLength: number | undefined): Record<string, ort.Tensor> {
  const jsonEnd = headerLength ?? body.length;
  const request = JSON.parse(body.toString('utf8', 0, jsonEnd)) as { inputs: WireInput[] };
  const feeds: Record<string, ort.Tensor> = {};
  let at = jsonEnd;
  for (const input of request.inputs) {
    const [type, Ctor] = arrays[input.datatype];
    const size = input.parameters?.binary_data_size;
    let data: Float32Array | BigInt64Array;
    if (size !== undefined) {
      // A copy: the body's offset need not be aligned for the element size.
      data = new Ctor(body.buffer.slice(body.byteOffset + at, body.byteOffset + at + size) as ArrayBuffer);
      at += size;
    } else if (Ctor === BigInt64Array) {
      data = BigInt64Array.from(input.data!, (v) => BigInt(v));
    } else {
      data = Float32Array.from(input.data!);
    }
    feeds[input.name] = new ort.Tensor(type, data, input.shape);
  }
  return feeds;
}

const datatypes: Record<string, string> = { float32: 'FP32', int64: 'INT64' };

async function main(): Promise<void> {
  const [modelPath, threadsText] = process.argv.slice(2);
  const threads = Number(threadsText);
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...(threads > 0 ? { intraOpNumThreads: threads } : {}), logSeverityLevel: 3,
  });
  const name = 'model';
  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const header = req.headers['inference-header-content-length'];
      const headerLength = header === undefined ? undefined : Number(header);
      void session.run(feedsOf(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), headerLength)).then((results) => {
        const outputs = Object.entries(results).map(([output, tensor]) => ({ output, tensor }));
        if (headerLength === undefined) {
          const body = JSON.stringify({
            model_name: name, model_version: '1',
            outputs: outputs.map(({ output, tensor }) => ({
              name: output, datatype: datatypes[tensor.type], shape: tensor.dims,
              data: tensor.type === 'int64' ? Array.from(tensor.data as BigInt64Array, Number) : Array.from(tensor.data as Float32Array),
            })),
          });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
          return;
        }
        const parts = outputs.map(({ tensor }) => {
          const data = tensor.data as Float32Array;
          return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        });
        const json = Buffer.from(JSON.stringify({
          model_name: name, model_version: '1',
          outputs: outputs.map(({ output, tensor }, i) => ({ name: output, datatype: datatypes[tensor.type], shape: tensor.dims, parameters: { binary_data_size: parts[i].length } })),
        }));
        const body = Buffer.concat([json, ...parts]);
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length, 'Inference-Header-Content-Length': json.length });
        res.end(body);
      }, (error: unknown) => {
        const body = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
        res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`infer: POST http://127.0.0.1:${port}/v2/models/${name}/infer`);
  });
  process.on('SIGINT', () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
