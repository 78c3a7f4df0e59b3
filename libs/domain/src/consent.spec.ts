import { CONSENT_PURPOSES, FamilyEvent, consentPurposeCode, consentPurposesOf } from './events';
import { fold } from './state';
import { given } from './testing/decider-spec';

const referred = {
  type: 'FamilyReferred',
  data: {
    occurredAt: '2025-01-10T00:00:00.000Z',
    authority: 'derbyshire',
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  },
} as FamilyEvent;
const consent = (type: 'ConsentWithdrawn' | 'ConsentRecorded', purpose: string, day = '03') =>
  ({ type, data: { occurredAt: `2025-02-${day}T00:00:00.000Z`, purpose } }) as FamilyEvent;

describe('consent: a purpose from a code list', () => {
  it('decides a withdrawal for each listed purpose, as given', () => {
    for (const purpose of CONSENT_PURPOSES) {
      const withdrawn = consent('ConsentWithdrawn', purpose);
      given(referred).when(withdrawn).then([withdrawn]);
    }
  });

  it('refuses a withdrawal or consent whose purpose is not a listed code', () => {
    given(referred)
      .when(consent('ConsentWithdrawn', 'research'))
      .thenFails('invalid', 'consent-purpose');
    given(referred)
      .when(consent('ConsentRecorded', 'Evaluation'))
      .thenFails('invalid', 'consent-purpose');
  });

  it('keeps the standing withdrawals in the state; consent given again lifts one', () => {
    const withdrawn = fold([referred, consent('ConsentWithdrawn', 'evaluation', '03')]);
    expect(withdrawn.consentWithdrawn).toEqual({ evaluation: '2025-02-03T00:00:00.000Z' });
    // A second withdrawal keeps the first date: consent was withdrawn from then on.
    const again = fold([
      referred,
      consent('ConsentWithdrawn', 'evaluation', '03'),
      consent('ConsentWithdrawn', 'evaluation', '09'),
      consent('ConsentWithdrawn', 'data_sharing', '10'),
    ]);
    expect(again.consentWithdrawn).toEqual({
      evaluation: '2025-02-03T00:00:00.000Z',
      data_sharing: '2025-02-10T00:00:00.000Z',
    });
    const regiven = fold([
      referred,
      consent('ConsentWithdrawn', 'evaluation', '03'),
      consent('ConsentRecorded', 'evaluation', '20'),
    ]);
    expect(regiven.consentWithdrawn).toEqual({});
  });

  it('upcasts schema 1 free text on read: a code in any case is itself, else a withdrawal is for both', () => {
    expect(consentPurposeCode(' Data Sharing ')).toBe('data_sharing');
    expect(consentPurposeCode('research')).toBeUndefined();
    const read = (type: 'ConsentWithdrawn' | 'ConsentRecorded', purpose: string) =>
      consentPurposesOf({ type, data: { purpose } });
    expect(read('ConsentWithdrawn', 'EVALUATION')).toEqual(['evaluation']);
    expect(read('ConsentWithdrawn', 'data-sharing')).toEqual(['data_sharing']);
    expect(read('ConsentWithdrawn', 'all research and sharing')).toEqual([
      'evaluation',
      'data_sharing',
    ]);
    expect(read('ConsentRecorded', 'all research and sharing')).toEqual([]);
    // Stored free text folds the same way.
    const old = fold([referred, consent('ConsentWithdrawn', 'no more research please')]);
    expect(old.consentWithdrawn).toEqual({
      evaluation: '2025-02-03T00:00:00.000Z',
      data_sharing: '2025-02-03T00:00:00.000Z',
    });
  });
});
