import {
  isSequenceIdOutOfRange,
  MAX_RECORD_SEQUENCE,
  parseSequenceId,
} from './ids';
import { parseIncidentId, parseProblemId } from './incidentRules';
import { parseRfcId } from './rfc/types';
import { parseFreezeId } from './schedule/freezes';

describe('record ids', () => {
  it('reads the number up to the largest a database key holds', () => {
    expect(MAX_RECORD_SEQUENCE).toBe(2 ** 31 - 1);
    expect(parseSequenceId('RFC', 'RFC-000001')).toBe(1);
    expect(parseSequenceId('RFC', 'RFC-2147483647')).toBe(2147483647);
    expect(parseSequenceId('RFC', 'RFC-0002147483647')).toBe(2147483647);
    expect(parseRfcId('RFC-2147483647')).toBe(2147483647);
    expect(parseIncidentId('INC-2147483647')).toBe(2147483647);
    expect(parseProblemId('PRB-2147483647')).toBe(2147483647);
  });

  it.each([
    'RFC-2147483648',
    'RFC-9999999999',
    'RFC-9007199254740993',
    `RFC-${'9'.repeat(400)}`,
  ])('names no record above the range: %s', id => {
    expect(parseSequenceId('RFC', id)).toBeUndefined();
    expect(parseRfcId(id)).toBeUndefined();
    expect(parseIncidentId(id.replace('RFC', 'INC'))).toBeUndefined();
    expect(parseProblemId(id.replace('RFC', 'PRB'))).toBeUndefined();
    expect(isSequenceIdOutOfRange('RFC', id)).toBe(true);
  });

  it.each([
    'RFC-000000',
    'RFC-12',
    'RFC-1e10',
    'RFC-00001.5',
    'RFC--000001',
    'RFC-000001 ',
    'RFC-000001\u0000',
    'RFC-١٢٣٤٥٦',
    'RFC-１２３４５６',
    'rfc-000001',
    'INC-000001',
    "RFC-000001' OR '1'='1",
    '',
  ])('is not an id: %j', id => {
    expect(parseSequenceId('RFC', id)).toBeUndefined();
    expect(parseRfcId(id)).toBeUndefined();
    expect(isSequenceIdOutOfRange('RFC', id)).toBe(false);
  });

  it('tells an id out of range apart from one in range', () => {
    expect(isSequenceIdOutOfRange('SR', 'SR-2147483647')).toBe(false);
    expect(isSequenceIdOutOfRange('SR', 'SR-2147483648')).toBe(true);
    expect(isSequenceIdOutOfRange('SR', 'RFC-2147483648')).toBe(false);
  });

  it('reads freeze ids, which have six digits and so stay in range', () => {
    expect(parseFreezeId('FRZ-000012')).toBe(12);
    expect(parseFreezeId('FRZ-999999')).toBe(999999);
    for (const bad of [
      'FRZ-000000',
      'FRZ-2147483648',
      'FRZ-00012',
      'FRZ-000012\u0000',
      'frz-000012',
    ]) {
      expect(parseFreezeId(bad)).toBeUndefined();
    }
  });
});
