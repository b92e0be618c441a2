// Verification of models held in memory, the way the pipeline verifies written files: the transform's
// own plan, inputs from the one input choice.
import { encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import type { RuntimeClient } from '../../../src/core/runtime/client.js';
import type { Verification } from '../../../src/core/transforms/report.js';
import type { Transform } from '../../../src/core/transforms/transform.js';
import type { OptionSchema } from '../../../src/core/transforms/optionSchema.js';
import { prepareInputs, type InputChoice } from '../../../src/core/transforms/verificationInputs.js';
import { verifyTransform } from '../../../src/core/transforms/verify.js';

export function verifyInMemory<O>(
  client: RuntimeClient, transform: Transform<OptionSchema, O, unknown>, options: O, original: ModelProto, result: ModelProto, choice: InputChoice = {},
): Promise<Verification> {
  return verifyTransform({
    client, plan: transform.verification(options), resultName: transform.resultName, inputs: prepareInputs(original, choice),
    original: { model: original, data: encodeModel(original) }, result: { model: result, data: encodeModel(result) },
  });
}
