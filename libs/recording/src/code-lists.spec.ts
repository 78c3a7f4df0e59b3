import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FamilyEvent } from '@app/domain';
import { codeFilter, loadCodeLists, matchCodes } from './code-lists';
import { RequestInvalid } from './requests/validation';

const dirWith = (files: Record<string, unknown>) => {
  const dir = mkdtempSync(join(tmpdir(), 'code-lists-'));
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
};

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof RequestInvalid) return e.errors;
    throw e;
  }
  throw new Error('not refused');
};

describe('the code lists as configured', () => {
  it("loads each authority's file from CODE_LISTS_DIR, checked at start", () => {
    const lists = loadCodeLists({
      extraDir: dirWith({
        'derbyshire.json': {
          authority: 'derbyshire',
          version: 3,
          lists: { referral_sources: [{ code: 'fire_service', name: 'Fire service' }] },
        },
        'README.txt': 'not a list',
      }),
    });
    expect(lists.for('derbyshire').referral_sources.match('Fire_Service')).toBe('fire_service');
    expect(lists.for('derbyshire').referral_sources.version).toBe(
      'referral_sources.v1+derbyshire.v3',
    );
    expect(() => loadCodeLists({ extraDir: dirWith({ 'bad.json': '{' }) })).toThrow(
      'bad.json: not valid JSON',
    );
    expect(
      loadCodeLists().for('derbyshire').referral_sources.match('fire_service'),
    ).toBeUndefined();
  });

  it('stores the listed code, or refuses naming the field as the caller wrote it', () => {
    const lists = loadCodeLists();
    const referral = {
      type: 'FamilyReferred',
      data: { authority: 'leeds', programme: 'FIP', source: 'Police', reasons: ['ASB'] },
    } as unknown as FamilyEvent;
    expect(matchCodes(referral, lists, 'leeds').data).toMatchObject({
      programme: 'fip',
      source: 'police',
      reasons: ['asb'],
    });
    const errors = refusal(() =>
      matchCodes(
        {
          type: 'FamilyReferred',
          data: { authority: 'leeds', programme: 'fip', source: 'polis', reasons: ['asb', 'x'] },
        } as unknown as FamilyEvent,
        lists,
        'leeds',
        (f) => (f === 'programme' ? f : `referral.${f}`),
      ),
    );
    expect(errors.map((e) => [e.field, e.rule])).toEqual([
      ['referral.source', 'code-list'],
      ['referral.reasons.1', 'code-list'],
    ]);
    expect(errors[0].allowed).toContain('police');
    expect(errors[0].message).toMatch(/^referral.source must be one of the referral_sources.v1/);
    const exit = { type: 'FamilyExited', data: { exitType: 'evicted' } } as unknown as FamilyEvent;
    expect(refusal(() => matchCodes(exit, lists, 'leeds'))[0]).toMatchObject({
      field: 'data.exitType',
      allowed: ['planned', 'disengaged', 'moved_area', 'custody', 'other'],
    });
  });

  it('matches a query filter (any case) or refuses it with the allowed codes', () => {
    const lists = loadCodeLists();
    expect(codeFilter(lists, 'programmes', 'programme', 'FIP', 'leeds')).toBe('fip');
    expect(codeFilter(lists, 'programmes', 'programme', undefined, 'leeds')).toBeUndefined();
    const [error] = refusal(() => codeFilter(lists, 'programmes', 'programme', 'fop', null));
    expect(error.field).toBe('programme');
    expect(error.allowed).toContain('fip');
  });
});
