import { DataError } from '@fewshot/core/plugin';
import { endTime, parseStrokeText, videoTimeline } from './strokes.js';

const TEXT =
  'START\n68.75,-25.8,0\n68.75,-30.8,140\n68.75,-35.8,310\nBREAK\n67.75,-41.8,1152\n50.75,-41.8,2684\nBREAK\n60,-50,2700\nBREAK\n';

describe('parseStrokeText', () => {
  it('reads START, x,y,t lines and BREAK into strokes', () => {
    const s = parseStrokeText(TEXT, 'a.txt');
    expect(s.map((x) => x.length)).toEqual([3, 2, 1]);
    expect(s[0]![1]).toEqual({ x: 68.75, y: -30.8, t: 140 });
    expect(parseStrokeText('START\r\n1,2,3\r\n', 'crlf.txt')).toEqual([[{ x: 1, y: 2, t: 3 }]]);
  });

  it('names the file and line of anything else', () => {
    expect(() => parseStrokeText('START\n1,2,3\n1,two,3\n', 'dir/b.txt')).toThrow(DataError);
    expect(() => parseStrokeText('START\n1,2,3\n1,two,3\n', 'dir/b.txt')).toThrow(
      "dir/b.txt:3: expected 'x,y,t_ms', START or BREAK, got '1,two,3'",
    );
    expect(() => parseStrokeText('START\nBREAK\n', 'empty.txt')).toThrow('empty.txt: no pen points');
  });
});

describe('videoTimeline', () => {
  it('keeps pen times within a stroke and sets every pause between strokes to the given length', () => {
    const t = videoTimeline(parseStrokeText(TEXT, 'a.txt'), 150);
    expect(t.map((s) => s.map((p) => p.t))).toEqual([[0, 140, 310], [460, 1992], [2142]]);
    expect(endTime(t)).toBe(2142);
    // a short pause (16 ms here) is lengthened to 150 ms too, as in the shared set
    expect(t[2]![0]!.t - t[1]![1]!.t).toBe(150);
  });

  it('starts at 0 and never goes back in time', () => {
    const t = videoTimeline(
      [
        [
          { x: 0, y: 0, t: 500 },
          { x: 1, y: 0, t: 400 },
          { x: 2, y: 0, t: 600 },
        ],
      ],
      150,
    );
    expect(t[0]!.map((p) => p.t)).toEqual([0, 0, 100]);
  });
});
