// Goal: the `filters` parameter is read as dockerd reads it, and errors map to dockerd's
// statuses. Method: table tests.
import { ERROR_CODES } from '@shoal/errors';
import { checkFilterKeys, labelFilter, matchesLabels, parseFilters } from './filters';
import { httpStatusFor } from './http/status';

describe('parseFilters', () => {
  it.each([
    ['{"name":{"web":true,"db":true}}', [['name', ['web', 'db']]]],
    ['{"name":["web"]}', [['name', ['web']]]],
    ['{"_up-to-date":{"true":true},"service":{"abc":true}}', [['_up-to-date', ['true']], ['service', ['abc']]]],
    ['{"name":{"off":false}}', [['name', []]]],
    ['', []],
  ])('reads %s', (raw, expected) => {
    expect([...parseFilters(raw)]).toEqual(expected);
  });

  it.each(['{not json', '[1]', '{"name":"web"}', '{"name":[1]}'])('refuses %s with INVALID_ARGUMENT', (raw) => {
    expect(() => parseFilters(raw)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it("refuses a key the endpoint does not know with dockerd's words", () => {
    expect(() => checkFilterKeys(parseFilters('{"colour":["x"]}'), ['name'])).toThrow("invalid filter 'colour'");
  });

  it('reads label filters as key=value or key alone, and matches them', () => {
    const wanted = labelFilter(parseFilters('{"label":{"team=a":true,"tier":true}}'));
    expect(wanted).toEqual({ team: 'a', tier: '' });
    expect(matchesLabels({ team: 'a', tier: 'web' }, wanted)).toBe(true);
    expect(matchesLabels({ team: 'b', tier: 'web' }, wanted)).toBe(false);
    expect(matchesLabels({ team: 'a' }, wanted)).toBe(false);
  });
});

describe('httpStatusFor', () => {
  it.each([
    ['INVALID_ARGUMENT', 400], ['FAILED_PRECONDITION', 400], ['NOT_FOUND', 404], ['NAME_CONFLICT', 409],
    ['ALREADY_EXISTS', 409], ['SEQUENCE_CONFLICT', 409], ['PERMISSION_DENIED', 403], ['UNAUTHENTICATED', 401],
    ['UNAVAILABLE', 503], ['NOT_LEADER', 503], ['DEADLINE_EXCEEDED', 503], ['UNIMPLEMENTED', 501], ['INTERNAL', 500],
  ] as const)('%s -> %d', (code, status) => {
    expect(httpStatusFor(code)).toBe(status);
  });
  it('maps every code', () => {
    for (const code of ERROR_CODES) expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
  });
});
