// The CLI spelling of the input specification, read into plain JSON: shapes, dim sizes, inline values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneLineUserError } from '../../helpers/oneLine.js';
import {
  formatInputSpec, parseDimsAssignments, parseInlineValue, parseInputOptions, parseShapeAssignment, parseValueAssignment,
} from '../../../src/core/runtime/inputSpec.js';


test('--shape: 1x3x224x224, [1,3,224,224] and 1,3,224,224 are the same; [] is a scalar; names may hold = and brackets', () => {
  for (const text of ['images=1x3x224x224', 'images=[1,3,224,224]', 'images=1,3,224,224', 'images = [ 1, 3, 224, 224 ]']) {
    assert.deepEqual(parseShapeAssignment(text), ['images', [1, 3, 224, 224]], text);
  }
  assert.deepEqual(parseShapeAssignment('sr=[]'), ['sr', []]);
  assert.deepEqual(parseShapeAssignment('a=b:0=7'), ['a=b:0', [7]]);
  assert.deepEqual(parseShapeAssignment('past_key_values.0.key=1x8x0x64'), ['past_key_values.0.key', [1, 8, 0, 64]]);
  assert.throws(() => parseShapeAssignment('1x3'), oneLineUserError(/^--shape takes NAME=VALUE \(like images=1x3x320x320\), not '1x3'\.$/));
  assert.throws(() => parseShapeAssignment('x=1x-3'), oneLineUserError(/^--shape x: a shape is whole numbers separated by x/));
  assert.throws(() => parseShapeAssignment('x=1xNx3'), oneLineUserError(/not '1xNx3'/));
  assert.throws(() => parseShapeAssignment('x=1.5x3'), oneLineUserError(/whole numbers/));
});

test('--dims: symbols and INPUT[AXIS] forms, separated by commas; sizes are whole numbers', () => {
  assert.deepEqual(parseDimsAssignments('batch=2, seq len = 128,input[1]=512,p2o.DynamicDimension.0=7'), {
    batch: 2, 'seq len': 128, 'input[1]': 512, 'p2o.DynamicDimension.0': 7,
  });
  for (const bad of ['N', 'N=-1', 'N=1.5', '=3', 'N:3']) assert.throws(() => parseDimsAssignments(bad), oneLineUserError(/NAME=SIZE pairs/), bad);
});

test('--value: scalars, flat and nested lists, strings, booleans; int64 beyond 2^53 stays exact text', () => {
  assert.deepEqual(parseValueAssignment('sr=16000'), ['sr', 16000]);
  assert.deepEqual(parseValueAssignment('scales=[0.5, 1, 2e-3]'), ['scales', [0.5, 1, 0.002]]);
  assert.deepEqual(parseValueAssignment('m=[[1,2],[3,4]]'), ['m', [[1, 2], [3, 4]]]);
  assert.deepEqual(parseValueAssignment('ids=[9007199254740993,-1]'), ['ids', ['9007199254740993', -1]]);
  assert.deepEqual(parseValueAssignment('flag=true'), ['flag', true]);
  assert.deepEqual(parseValueAssignment('text="a, b=c [x]"'), ['text', 'a, b=c [x]']);
  assert.deepEqual(parseValueAssignment('words=[hello, "two words"]'), ['words', ['hello', 'two words']]);
  assert.deepEqual(parseValueAssignment('x=[nan,inf,-inf]'), ['x', ['nan', 'inf', '-inf']]);
  assert.deepEqual(parseValueAssignment('empty=[]'), ['empty', []]);
  assert.throws(() => parseValueAssignment('sr='), oneLineUserError(/^--value sr= gives no value\.$/));
  assert.throws(() => parseValueAssignment('m=[[1,2],[3]]'), oneLineUserError(/^--value m: the nested lists are not rectangular\.$/));
  assert.throws(() => parseValueAssignment('m=[1,2'), oneLineUserError(/^--value m: the value ends early/));
  assert.throws(() => parseValueAssignment('m=[1 2]'), oneLineUserError(/^--value m: expected ',' or '\]'/));
  assert.throws(() => parseValueAssignment('m=1]'), oneLineUserError(/^--value m: unexpected text after the value/));
  assert.throws(() => parseInlineValue('[1,,2]', 'v'), oneLineUserError(/^v: unexpected ','/));
});

test('the options become one JSON spec (it survives JSON), and repeated or conflicting options are errors', () => {
  const spec = parseInputOptions({
    inputs: ['a.npy'], shape: ['x=1x3x8x8'], dims: ['batch=2,seq=4', 'input[1]=512'], value: ['sr=16000', 'scale=[0.5,1]'], seed: '7', distribution: 'uniform',
  });
  assert.deepEqual(spec, {
    files: ['a.npy'], shapes: { x: [1, 3, 8, 8] }, dims: { batch: 2, seq: 4, 'input[1]': 512 }, values: { sr: 16000, scale: [0.5, 1] }, seed: 7, distribution: 'uniform',
  });
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
  assert.equal(formatInputSpec(spec), '--inputs a.npy --shape x=1x3x8x8 --dims batch=2,seq=4,input[1]=512 --value sr=16000 --value scale=[0.5,1]');
  assert.deepEqual(parseInputOptions({}), {});
  assert.throws(() => parseInputOptions({ shape: ['x=1', 'x=2'] }), oneLineUserError(/^--shape gives input 'x' twice\.$/));
  assert.throws(() => parseInputOptions({ dims: ['N=1', 'N=2'] }), oneLineUserError(/^--dims sets 'N' twice \(1 and 2\)\.$/));
  assert.throws(() => parseInputOptions({ value: ['a=1', 'a=2'] }), oneLineUserError(/^--value gives input 'a' twice\.$/));
  assert.throws(() => parseInputOptions({ seed: '-1' }), oneLineUserError(/^--seed must be a whole number >= 0/));
  assert.throws(() => parseInputOptions({ distribution: 'gauss' }), oneLineUserError(/^--distribution must be one of normal, uniform, zeros, ones\.$/));
});
