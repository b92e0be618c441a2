// Names the machine class a run was made on (cores, memory, CPU model, Node and Python onnx versions),
// never the host.
import { cpus, totalmem, type as osType, release } from 'node:os';

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpu: string;
  os: string;
  node: string;
  pythonOnnx?: string;
  onnxruntime?: string;
}

export function describeMachine(extra: Pick<Machine, 'pythonOnnx' | 'onnxruntime'>): Machine {
  return {
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    cpu: cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown',
    os: `${osType()} ${release().split('-')[0]}`,
    node: process.version,
    ...extra,
  };
}

export function machineText(m: Machine): string {
  return `${m.cores} cores, ${m.memoryGiB} GiB, ${m.cpu}, ${m.os}, Node ${m.node.replace(/^v/, '')}` +
    (m.pythonOnnx ? `, Python onnx ${m.pythonOnnx}` : '') + (m.onnxruntime ? `, onnxruntime-node ${m.onnxruntime}` : '');
}
