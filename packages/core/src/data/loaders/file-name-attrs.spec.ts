import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { parseOptions } from '../../parse-options.js';
import { groupNames, groupsOf, nameSuffix, patternAttrs, regexOption, suffixAttr } from './file-name-attrs.js';

describe('file-name attributes', () => {
  it('takes named groups of a pattern: FSDD speaker, Omniglot drawer', () => {
    expect(patternAttrs(/^(?<digit>\d)_(?<speaker>[a-z]+)_(?<take>\d+)\.wav$/)('7_jackson_32.wav')).toEqual({
      digit: '7',
      speaker: 'jackson',
      take: '32',
    });
    expect(patternAttrs(/_(?<drawer>\d+)\.png$/)('0123_05.png')).toEqual({ drawer: '05' });
    expect(patternAttrs(/^(?<speaker>[a-z]+)(?<x>!)?/)('george.wav')).toEqual({ speaker: 'george' });
    expect(patternAttrs(/^zzz(?<x>.)/)('0123_05.png')).toBeUndefined();
    expect(groupsOf(/^\d+/.exec('12'))).toBeUndefined();
  });

  it('takes the part after the last underscore of the stem', () => {
    expect(nameSuffix('0683_17.mp4')).toBe('17');
    expect(nameSuffix('a_b_c.webm')).toBe('c');
    expect(nameSuffix('plain.mp4')).toBe('');
    expect(nameSuffix('x_1.tar.gz')).toBe('1.tar');
    expect(suffixAttr('drawer')('0123_05.png')).toEqual({ drawer: '05' });
  });

  it('lists the named groups of a pattern source', () => {
    expect(groupNames('^(?<digit>\\d)_(?<speaker>[a-z]+)_(\\d+)')).toEqual(['digit', 'speaker']);
  });

  it('rejects a bad regular expression when the options are parsed, naming the key', () => {
    const schema = z.strictObject({ filePattern: regexOption().default('^(?<speaker>[^_]+)') });
    expect(parseOptions(schema, {}, 'data.train.options').filePattern).toBe('^(?<speaker>[^_]+)');
    expect(() => parseOptions(schema, { filePattern: '(' }, 'data.train.options')).toThrow(ConfigError);
    expect(() => parseOptions(schema, { filePattern: '(' }, 'data.train.options')).toThrow(
      /^data\.train\.options\.filePattern: not a valid regular expression: /,
    );
    expect(() => parseOptions(schema, { filePattern: '' }, 'data.train.options')).toThrow(
      /data\.train\.options\.filePattern/,
    );
  });
});
