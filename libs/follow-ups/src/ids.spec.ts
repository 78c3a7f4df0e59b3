import { followUpEventId, followUpId, uuidV5 } from './ids';

describe('follow-up ids', () => {
  it('are RFC 4122 v5 UUIDs (checked against a published vector)', () => {
    // python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });
  it('are the same for the same family episode and differ otherwise', () => {
    const family = '0b0f5b4e-7a0c-4a55-8f1e-2d7c9b3a1e10';
    expect(followUpId(family, 1)).toBe(followUpId(family, 1));
    expect(followUpId(family, 1)).not.toBe(followUpId(family, 2));
    const id = followUpId(family, 1);
    expect(followUpEventId(id, 'due')).toBe(followUpEventId(id, 'due'));
    expect(followUpEventId(id, 'due')).not.toBe(followUpEventId(id, 'scheduled'));
  });
});
