import { DataError } from '@fewshot/core/plugin';
import { parseJsonSeries, parseTable } from './parse-table.js';
import { parseStrokeText } from './parse-strokes.js';

const auto = { timeColumn: 'auto', strokeColumn: 'auto' };

function dataError(f: () => unknown): DataError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('parseStrokeText (Omniglot stroke files)', () => {
  it('reads START, x,y,t_ms lines and BREAK into strokes with times', () => {
    const t = parseStrokeText('START\n1,2,0\n3,4,10\nBREAK\n5,6,40\n7,8,50\nBREAK\n', 'a.txt');
    expect(t.channels).toBe(2);
    expect(Array.from(t.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(t.time!)).toEqual([0, 10, 40, 50]);
    expect(Array.from(t.stroke)).toEqual([0, 0, 1, 1]);
  });

  it('names the file and line of a bad line, and refuses an empty file or a single point', () => {
    expect(dataError(() => parseStrokeText('START\n1,2,0\n1,x,3\n', 'd/a.txt')).message).toBe(
      "d/a.txt: line 3: expected 'x,y,t_ms', START or BREAK, got '1,x,3'",
    );
    expect(dataError(() => parseStrokeText('START\nBREAK\n', 'e.txt')).message).toMatch(/^e\.txt: no data points/);
    expect(dataError(() => parseStrokeText('START\n1,2,0\nBREAK\n', 'one.txt')).message).toMatch(
      /^one\.txt: a single data point/,
    );
  });
});

describe('parseTable (CSV / TSV)', () => {
  it('detects a header, takes the time column out of the channels', () => {
    const t = parseTable('x,y,time\n0,1,0\n2,3,0.5\n4,5,1\n', 'a.csv', auto);
    expect(t.channels).toBe(2);
    expect(Array.from(t.values)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(t.time!)).toEqual([0, 0.5, 1]);
  });

  it('reads a TSV without a header: every column a channel, a blank line ends a stroke', () => {
    const t = parseTable('0\t1\t9\n2\t3\t9\n\n4\t5\t9\n6\t7\t9\n', 'a.tsv', auto);
    expect(t.channels).toBe(3);
    expect(t.time).toBeUndefined();
    expect(Array.from(t.stroke)).toEqual([0, 0, 1, 1]);
  });

  it('takes columns by #N and a stroke column whose change starts a stroke', () => {
    const t = parseTable('5,0,0,1\n6,1,0,2\n7,0,1,3\n', 'a.csv', { timeColumn: '#4', strokeColumn: '#3' });
    expect(Array.from(t.values)).toEqual([5, 0, 6, 1, 7, 0]);
    expect(Array.from(t.time!)).toEqual([1, 2, 3]);
    expect(Array.from(t.stroke)).toEqual([0, 0, 1]);
  });

  it('names file and line of a ragged row and of a cell that is not a number', () => {
    expect(dataError(() => parseTable('x,y\n1,2\n3\n', 'r.csv', auto)).message).toBe(
      'r.csv: line 3 has 1 cells, the header 2 (ragged rows)',
    );
    expect(dataError(() => parseTable('1,2\n3,4,5\n', 'r.csv', auto)).message).toBe(
      'r.csv: line 2 has 3 cells, the first row 2 (ragged rows)',
    );
    expect(dataError(() => parseTable('x,y\n1,2\n3,abc\n', 'n.csv', auto)).message).toBe(
      "n.csv: line 3, column 'y': 'abc' is not a number",
    );
  });

  it('refuses an empty file, a header without rows and a single point', () => {
    expect(dataError(() => parseTable('', 'e.csv', auto)).message).toBe('e.csv: empty file (no rows)');
    expect(dataError(() => parseTable('\n\n', 'e.csv', auto)).message).toBe('e.csv: empty file (no rows)');
    expect(dataError(() => parseTable('x,y\n', 'h.csv', auto)).message).toMatch(
      /^h\.csv: a header row and no data rows/,
    );
    expect(dataError(() => parseTable('x,y\n1,2\n', 'p.csv', auto)).message).toMatch(/^p\.csv: a single data point/);
  });

  it('names a time column that is not there', () => {
    expect(
      dataError(() => parseTable('x,y\n1,2\n3,4\n', 'a.csv', { timeColumn: 'stamp', strokeColumn: 'none' })).message,
    ).toBe("a.csv: no time column 'stamp' (header: x, y)");
  });
});

describe('parseJsonSeries', () => {
  it('reads points, strokes of points, and one-channel series', () => {
    expect(Array.from(parseJsonSeries('[[0,1],[2,3]]', 'a.json', auto).values)).toEqual([0, 1, 2, 3]);
    const s = parseJsonSeries('[[[0,1],[2,3]],[[4,5],[6,7]]]', 'a.json', auto);
    expect(Array.from(s.stroke)).toEqual([0, 0, 1, 1]);
    expect(parseJsonSeries('[1,2,3]', 'a.json', auto).channels).toBe(1);
  });

  it('names the file and point of a bad value or a ragged row', () => {
    expect(dataError(() => parseJsonSeries('[[0,1],[2,"x"]]', 'b.json', auto)).message).toBe(
      'b.json: point 2, value 2: "x" is not a number',
    );
    expect(dataError(() => parseJsonSeries('[[0,1],[2]]', 'b.json', auto)).message).toMatch(
      /^b\.json: point 2 has 1 value, the rows before it 2 \(ragged rows\)/,
    );
    expect(dataError(() => parseJsonSeries('[]', 'b.json', auto)).message).toMatch(/^b\.json: no data points/);
    expect(dataError(() => parseJsonSeries('{', 'b.json', auto)).message).toMatch(/^b\.json is not valid JSON/);
  });
});
