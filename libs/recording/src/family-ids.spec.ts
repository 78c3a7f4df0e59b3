import { AUTHORITY_FAMILY_NAMESPACE, ownFamilyId, storedFamilyId } from './family-ids';

describe('storedFamilyId: a family id is a key inside the caller’s authority', () => {
  const id = '0b7d3c1e-8f4a-4c2b-9d6e-5a1f2e3d4c5b';

  it('keeps an id nobody holds, or the caller’s own, as it is', () => {
    expect(storedFamilyId('a', id, undefined)).toBe(id);
    expect(storedFamilyId('a', id, 'a')).toBe(id);
  });

  it('gives an id another authority holds the caller’s own derived id', () => {
    const derived = storedFamilyId('a', id, 'b');
    expect(derived).toBe(ownFamilyId('a', id));
    expect(derived).not.toBe(id);
    expect(derived).not.toBe(ownFamilyId('b', id));
    // A name-based (version 5) UUID, the same on every process and every start.
    expect(derived).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(ownFamilyId('a', id)).toBe(derived);
  });

  it('leaves national and trusted callers naming stored ids', () => {
    expect(storedFamilyId(null, id, 'b')).toBe(id);
    expect(storedFamilyId(undefined, id, 'b')).toBe(id);
  });

  it('has a fixed namespace (changing it would lose families stored under derived ids)', () => {
    expect(AUTHORITY_FAMILY_NAMESPACE).toBe('4554325b-6143-4de1-a428-022110e8e6b8');
  });
});
