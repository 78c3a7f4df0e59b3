import { EpisodeOutcome, loadDefinitions } from '@app/outcomes';
import { extractExclusions, extractRows } from './extract';

const none = { assessed: 0n, present: 0n };
const exit = (familyId: string, withdrawn: Partial<EpisodeOutcome> = {}): EpisodeOutcome => ({
  familyId,
  episode: 1,
  authority: 'a',
  programme: 'fip',
  status: 'exited',
  referredAt: '2025-01-10T00:00:00.000Z',
  offeredAt: null,
  acceptedAt: '2025-01-15T00:00:00.000Z',
  supportPlanAgreedAt: null,
  refusedAt: null,
  refusalStage: null,
  exitedAt: '2025-05-20T00:00:00.000Z',
  exitType: 'planned',
  movedArea: false,
  revisited: false,
  masks: { baseline: none, exit: none, latest: none, followUp: none },
  earlyWeeklyHours: null,
  lateWeeklyHours: null,
  supportTypes: [],
  evaluationWithdrawnAt: null,
  dataSharingWithdrawnAt: null,
  ...withdrawn,
});

/**
 * Issue 15 item 7: consent has two scopes. A withdrawal of `data_sharing` keeps the family in the
 * aggregate figures (evaluation) but its record never leaves the authority in an extract; a
 * withdrawal of `evaluation` takes it out of both.
 */
describe('the record-level extract and consent (extract.ts)', () => {
  const definitions = loadDefinitions();
  const request = { authority: 'a', periodStart: '2025-04-01', periodEnd: '2025-06-30' };
  const at = '2025-06-01T00:00:00.000Z';
  const episodes = [
    exit('kept'),
    exit('no-sharing', { dataSharingWithdrawnAt: at }),
    exit('no-evaluation', { evaluationWithdrawnAt: at }),
  ];

  it('leaves out a family that withdrew consent to data sharing or to evaluation, and counts both', () => {
    const rows = extractRows(episodes, definitions, request, 'k'.repeat(32));
    expect(rows).toHaveLength(1);
    expect(extractExclusions(episodes, request)).toBe(2);
  });

  it('keeps every family whose consents stand', () => {
    const all = episodes.map((e) => exit(e.familyId));
    expect(extractRows(all, definitions, request, 'k'.repeat(32))).toHaveLength(3);
    expect(extractExclusions(all, request)).toBe(0);
  });
});
