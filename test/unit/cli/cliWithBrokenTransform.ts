// The real CLI (src/cli.ts) with one more transform in the registry: brokenTransform, whose result fails
// the model checker. The registry is read when the CLI module loads, so the transform goes in first.
import { transforms } from '../../../src/core/transforms/registry.js';
import type { AnyTransform } from '../../../src/core/transforms/transform.js';
import { brokenTransform } from './brokenTransform.js';

(transforms as AnyTransform[]).push(brokenTransform as AnyTransform);
await import('../../../src/cli.js');
