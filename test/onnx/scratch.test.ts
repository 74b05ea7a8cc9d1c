import { it } from 'vitest';
import { readdirSync } from 'node:fs';
import { loadOnnxTeacher } from '../../src/host/onnx/load.js';
it('scratch', () => {
  const dir = 'test/fixtures/onnx/';
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.onnx'))) {
    try {
      const t = loadOnnxTeacher(dir + f);
      console.log(f, t.teacher.sizes.join('-'), t.teacher.clip, t.layers.map((l) => `${l.type}:${l.node}:${l.activation ?? ''}:${l.in}->${l.out}`).join(' | '), t.producer, t.opset);
    } catch (e) { console.log(f, 'ERR', (e as Error).message); }
  }
});
