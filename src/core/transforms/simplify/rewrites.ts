// Every rewrite simplify runs, in the order a pass tries them.
import { castChain } from './castChain.js';
import { convAdd } from './convAdd.js';
import { convBatchNorm } from './convBatchNorm.js';
import { convMul } from './convMul.js';
import { duplicateInitializers } from './duplicateInitializers.js';
import { gemmTranspose } from './gemmTranspose.js';
import { identityLike } from './identityLike.js';
import { layerNorm } from './layerNorm.js';
import { matmulAddGemm } from './matmulAddGemm.js';
import { padIntoConv } from './padIntoConv.js';
import { reshapeChain } from './reshapeChain.js';
import type { Rewrite } from './rewrite.js';
import { shapeChain } from './shapeChain.js';
import { squeezeUnsqueeze } from './squeezeUnsqueeze.js';
import { transposeChain } from './transposeChain.js';

export const allRewrites: readonly Rewrite[] = [
  identityLike, castChain, transposeChain, squeezeUnsqueeze, reshapeChain, shapeChain,
  convBatchNorm, convAdd, convMul, padIntoConv, matmulAddGemm, gemmTranspose, layerNorm, duplicateInitializers,
];
