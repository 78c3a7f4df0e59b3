import { FamilyEvent, FamilyEventData, FamilyEventType } from './events';
import { decide } from './decide';
import { isSameRecord } from './family';
import { fold } from './state';
import { given } from './testing/decider-spec';

const ev = <T extends FamilyEventType>(type: T, data: FamilyEventData[T]) =>
  ({ type, data }) as FamilyEvent;

const referred = (occurredAt = '2025-01-10T00:00:00.000Z', authority = 'derbyshire') =>
  ev('FamilyReferred', {
    occurredAt,
    authority,
    programme: 'fip',
    source: 'police',
    reasons: ['asb'],
  });
const offered = (occurredAt = '2025-01-20T00:00:00.000Z') =>
  ev('InterventionOffered', { occurredAt });
const accepted = (occurredAt = '2025-01-25T00:00:00.000Z') =>
  ev('InterventionAccepted', { occurredAt });
const plan = (occurredAt = '2025-02-01T00:00:00.000Z') =>
  ev('SupportPlanAgreed', { occurredAt, domains: ['asb'], plannedWeeklyHours: 9 });
const exited = (
  exitType: 'planned' | 'disengaged' = 'planned',
  occurredAt = '2025-12-01T00:00:00.000Z',
) => ev('FamilyExited', { occurredAt, exitType });
const incident = (occurredAt: string) =>
  ev('AsbIncidentRecorded', { occurredAt, asbType: 'noise', sourceAgency: 'police' });

describe('family decider', () => {
  describe('an episode starts with FamilyReferred', () => {
    it('refers a new family', () => {
      given().when(referred()).then([referred()]);
    });
    it('refuses any other first event', () => {
      given().when(offered()).thenFails('conflict', 'episode-starts-with-referral');
      given()
        .when(incident('2025-01-01T00:00:00.000Z'))
        .thenFails('conflict', 'episode-starts-with-referral');
    });
    it('refuses a second referral while an episode is open', () => {
      given(referred())
        .when(referred('2025-02-01T00:00:00.000Z'))
        .thenFails('conflict', 'one-open-episode');
    });
    it('starts a new episode after an exit', () => {
      const reReferral = referred('2026-01-05T00:00:00.000Z');
      given(referred(), offered(), accepted(), exited()).when(reReferral).then([reReferral]);
      const state = fold([referred(), offered(), accepted(), exited(), reReferral]);
      expect(state.episodes.map((e) => [e.number, e.status])).toEqual([
        [1, 'exited'],
        [2, 'referred'],
      ]);
    });
    it('keeps the family in its authority on re-referral', () => {
      given(referred(), offered(), accepted(), exited())
        .when(referred('2026-01-05T00:00:00.000Z', 'rotherham'))
        .thenFails('conflict', 'authority-unchanged');
    });
  });

  describe('a transfer hands the family to another authority', () => {
    const transferred = (from = 'derbyshire', to = 'rotherham', occurredAt = '2025-03-01') =>
      ev('FamilyTransferred', {
        occurredAt: `${occurredAt}T00:00:00.000Z`,
        fromAuthority: from,
        toAuthority: to,
      });
    it('moves an open family, and the new authority owns it', () => {
      given(referred(), offered()).when(transferred()).then([transferred()]);
      expect(fold([referred(), offered(), transferred()]).authority).toBe('rotherham');
    });
    it('moves a family whose episode has closed', () => {
      const late = transferred('derbyshire', 'rotherham', '2026-01-10');
      given(referred(), offered(), accepted(), exited()).when(late).then([late]);
    });
    it('is recorded by the owning authority only', () => {
      given(referred(), offered())
        .when(transferred('leeds', 'rotherham'))
        .thenFails('conflict', 'transfer-from-owning-authority');
      given(referred(), transferred())
        .when(transferred('derbyshire', 'leeds'))
        .thenFails('conflict', 'transfer-from-owning-authority');
    });
    it('goes to another authority', () => {
      given(referred())
        .when(transferred('derbyshire', 'derbyshire'))
        .thenFails('invalid', 'another-authority');
    });
    it('needs a family, and cannot predate its referral', () => {
      given().when(transferred()).thenFails('conflict', 'episode-starts-with-referral');
      given(referred())
        .when(transferred('derbyshire', 'rotherham', '2025-01-01'))
        .thenFails('conflict', 'after-referral');
    });
    it('lets the new authority re-refer the family, and not the old one', () => {
      const history = [
        referred(),
        offered(),
        accepted(),
        exited(),
        transferred('derbyshire', 'rotherham', '2025-12-15'),
      ];
      const back = referred('2026-01-05T00:00:00.000Z', 'rotherham');
      given(...history)
        .when(back)
        .then([back]);
      given(...history)
        .when(referred('2026-01-05T00:00:00.000Z', 'derbyshire'))
        .thenFails('conflict', 'authority-unchanged');
    });
  });

  describe('offer, then accept or refuse; support plan only after acceptance', () => {
    it('accepts an offered intervention', () => {
      given(referred(), offered()).when(accepted()).then([accepted()]);
    });
    it('refuses acceptance without an offer', () => {
      given(referred()).when(accepted()).thenFails('conflict', 'accept-after-offer');
    });
    it('offers only once', () => {
      given(referred(), offered())
        .when(offered('2025-01-21T00:00:00.000Z'))
        .thenFails('conflict', 'offer-once-after-referral');
    });
    it('refuses a support plan before acceptance', () => {
      given(referred(), offered())
        .when(plan())
        .thenFails('conflict', 'support-plan-after-acceptance');
    });
    it('agrees a support plan after acceptance', () => {
      given(referred(), offered(), accepted()).when(plan()).then([plan()]);
    });
    it('matches the refusal stage to the episode', () => {
      const atOffer = ev('InterventionRefused', {
        occurredAt: '2025-01-22T00:00:00.000Z',
        stage: 'offer',
      });
      given(referred(), offered()).when(atOffer).then([atOffer]);
      const atPlan = ev('InterventionRefused', {
        occurredAt: '2025-01-22T00:00:00.000Z',
        stage: 'support_plan',
      });
      given(referred(), offered()).when(atPlan).thenFails('conflict', 'refusal-stage');
    });
    it('closes the episode on refusal', () => {
      const refusal = ev('InterventionRefused', {
        occurredAt: '2025-01-22T00:00:00.000Z',
        stage: 'offer',
      });
      given(referred(), offered(), refusal)
        .when(accepted())
        .thenFails('conflict', 'episode-closed');
    });
  });

  describe('one exit per episode; only follow-up, movement, consent or re-referral after it', () => {
    const history = [referred(), offered(), accepted(), plan(), exited()];
    it('exits once', () => {
      given(...history)
        .when(exited('disengaged', '2025-12-02T00:00:00.000Z'))
        .thenFails('conflict', 'episode-closed');
    });
    it('needs acceptance for a planned exit but not for others', () => {
      given(referred(), offered())
        .when(exited('planned', '2025-02-01T00:00:00.000Z'))
        .thenFails('conflict', 'planned-exit-after-acceptance');
      const left = exited('disengaged', '2025-02-01T00:00:00.000Z');
      given(referred(), offered()).when(left).then([left]);
    });
    it('refuses work events after the exit', () => {
      const review = ev('ReviewHeld', {
        occurredAt: '2025-12-05T00:00:00.000Z',
        weeklyContactHours: 6,
      });
      given(...history)
        .when(review)
        .thenFails('conflict', 'episode-closed');
      const keyWorker = ev('KeyWorkerAssigned', {
        occurredAt: '2025-12-05T00:00:00.000Z',
        workerId: 'kw-1',
      });
      given(...history)
        .when(keyWorker)
        .thenFails('conflict', 'episode-closed');
    });
    it('refuses incidents dated after the exit, accepts back-entered ones', () => {
      given(...history)
        .when(incident('2025-12-10T00:00:00.000Z'))
        .thenFails('conflict', 'episode-closed');
      given(...history)
        .when(incident('2025-06-10T00:00:00.000Z'))
        .then([incident('2025-06-10T00:00:00.000Z')]);
    });
    it('accepts movement and consent after the exit', () => {
      const moved = ev('FamilyMovedArea', {
        occurredAt: '2025-12-10T00:00:00.000Z',
        toAuthority: 'leicestershire',
      });
      given(...history)
        .when(moved)
        .then([moved]);
      const consent = ev('ConsentWithdrawn', {
        occurredAt: '2025-12-10T00:00:00.000Z',
        purpose: 'evaluation',
      });
      given(...history)
        .when(consent)
        .then([consent]);
    });
  });

  describe('follow-up events only after an exit', () => {
    const scheduled = ev('FollowUpScheduled', {
      occurredAt: '2025-12-01T00:00:00.000Z',
      episode: 1,
      dueAt: '2026-12-01T00:00:00.000Z',
      windowOpensAt: '2026-11-03T00:00:00.000Z',
      windowClosesAt: '2026-12-29T00:00:00.000Z',
      overdueAt: '2026-12-29T00:00:00.000Z',
      policyVersion: 1,
    });
    it('refuses a follow-up before the exit', () => {
      given(referred(), offered(), accepted())
        .when(scheduled)
        .thenFails('conflict', 'follow-up-after-exit');
    });
    it('schedules once, falls due after scheduling, resolves once', () => {
      const history = [referred(), offered(), accepted(), exited()];
      given(...history)
        .when(scheduled)
        .then([scheduled]);
      given(...history, scheduled)
        .when(scheduled)
        .thenFails('conflict', 'follow-up-scheduled-once');
      const due = ev('FollowUpDue', { occurredAt: '2025-12-15T00:00:00.000Z', episode: 1 });
      given(...history)
        .when(due)
        .thenFails('conflict', 'due-after-scheduled');
      const missed = ev('FollowUpMissed', {
        occurredAt: '2025-12-16T00:00:00.000Z',
        episode: 1,
        reason: 'declined',
      });
      given(...history, scheduled, due)
        .when(missed)
        .then([missed]);
      const completed = ev('FollowUpCompleted', {
        occurredAt: '2025-12-17T00:00:00.000Z',
        episode: 1,
        assessment: { asbTypes: [] },
      });
      given(...history, scheduled, due, missed)
        .when(completed)
        .thenFails('conflict', 'follow-up-resolved-once');
    });
    it('records a one-year-on assessment only through the revisit', () => {
      const assessment = ev('DomainAssessmentRecorded', {
        occurredAt: '2025-12-20T00:00:00.000Z',
        stage: 'follow_up',
        asbTypes: [],
      });
      for (const history of [
        [referred(), offered(), accepted()],
        [referred(), offered(), accepted(), exited()],
        [referred(), offered(), accepted(), exited(), scheduled],
      ]) {
        given(...history)
          .when(assessment)
          .thenFails('invalid', 'one-year-on-through-revisit');
      }
      expect(() =>
        decide(
          { type: 'RecordFamilyEvent', event: assessment, now: new Date() },
          fold([referred(), offered(), accepted(), exited()]),
        ),
      ).toThrow(/POST \/v1\/follow-ups\/\{followUpId\}\/complete/);
    });
    it('reads a stored bare one-year-on assessment (an old stream) as the revisit done', () => {
      const legacy = ev('DomainAssessmentRecorded', {
        occurredAt: '2026-12-01T00:00:00.000Z',
        stage: 'follow_up',
        asbTypes: [],
      });
      const history = [referred(), offered(), accepted(), exited()];
      expect(fold([...history, legacy]).episodes[0].followUp).toBe('completed');
      // A schedule stored after it (the old sweep) adds dates, not a second visit.
      const due = ev('FollowUpDue', { occurredAt: '2026-12-01T00:00:00.000Z', episode: 1 });
      expect(fold([...history, legacy, scheduled, due]).episodes[0].followUp).toBe('completed');
      expect(fold([...history, scheduled, legacy]).episodes[0].followUp).toBe('completed');
      given(...history, legacy)
        .when(scheduled)
        .thenFails('conflict', 'follow-up-scheduled-once');
      // A missed revisit stays missed.
      const missed = ev('FollowUpMissed', {
        occurredAt: '2026-12-01T00:00:00.000Z',
        episode: 1,
        reason: 'declined',
      });
      expect(fold([...history, scheduled, missed, legacy]).episodes[0].followUp).toBe('missed');
    });
    it('completes a revisit with an assessment of at least one domain, by intent', () => {
      const history = [referred(), offered(), accepted(), exited(), scheduled];
      const complete = (assessment: object) => ({
        type: 'CompleteRevisit' as const,
        episode: 1,
        occurredAt: '2026-01-20T00:00:00.000Z',
        assessment,
      });
      given(...history)
        .when(complete({}))
        .thenFails('invalid', 'at-least-one-domain');
      given(...history)
        .when(complete({ evidenceSources: ['school'] }))
        .thenFails('invalid', 'at-least-one-domain');
      given(...history)
        .when(complete({ domesticViolence: false }))
        .then([
          ev('FollowUpCompleted', {
            occurredAt: '2026-01-20T00:00:00.000Z',
            episode: 1,
            assessment: { domesticViolence: false },
          }),
        ]);
    });
    it('misses a revisit only for a reason from the closed list, by intent', () => {
      const history = [referred(), offered(), accepted(), exited(), scheduled];
      const miss = (reason: string) => ({
        type: 'MissRevisit' as const,
        episode: 1,
        occurredAt: '2026-01-20T00:00:00.000Z',
        reason: reason as 'declined',
      });
      given(...history)
        .when(miss('forgot'))
        .thenFails('invalid', 'missed-reason');
      given(...history)
        .when(miss('uncontactable'))
        .then([
          ev('FollowUpMissed', {
            occurredAt: '2026-01-20T00:00:00.000Z',
            episode: 1,
            reason: 'uncontactable',
          }),
        ]);
      given(referred(), offered(), accepted(), exited())
        .when(miss('declined'))
        .thenFails('conflict', 'follow-up-resolved-once');
    });
    const history = [referred(), offered(), accepted(), exited()];
    const due = ev('FollowUpDue', { occurredAt: '2025-12-15T00:00:00.000Z', episode: 1 });
    const cancelled = ev('FollowUpCancelled', {
      occurredAt: '2026-01-05T00:00:00.000Z',
      episode: 1,
      reason: 're_referred',
    });
    const assigned = ev('FollowUpAssigned', {
      occurredAt: '2025-12-20T00:00:00.000Z',
      episode: 1,
      workerId: 'kw-9',
    });
    it('cancels a pending follow-up (scheduled or due), once', () => {
      given(...history, scheduled)
        .when(cancelled)
        .then([cancelled]);
      given(...history, scheduled, due)
        .when(cancelled)
        .then([cancelled]);
      given(...history)
        .when(cancelled)
        .thenFails('conflict', 'cancel-pending-follow-up');
      given(...history, scheduled, cancelled)
        .when(cancelled)
        .thenFails('conflict', 'cancel-pending-follow-up');
    });
    it('cancels the revisit of an earlier episode after a re-referral', () => {
      const reReferral = referred('2026-01-05T00:00:00.000Z');
      given(...history, scheduled, reReferral)
        .when(cancelled)
        .then([cancelled]);
      expect(fold([...history, scheduled, reReferral, cancelled]).episodes[0].followUp).toBe(
        'cancelled',
      );
    });
    it('refuses due, completion or a miss after a cancellation', () => {
      given(...history, scheduled, cancelled)
        .when(due)
        .thenFails('conflict', 'due-after-scheduled');
      const completed = ev('FollowUpCompleted', {
        occurredAt: '2026-01-10T00:00:00.000Z',
        episode: 1,
        assessment: { asbTypes: [] },
      });
      given(...history, scheduled, cancelled)
        .when(completed)
        .thenFails('conflict', 'follow-up-resolved-once');
    });
    it('assigns a pending follow-up to a worker, not a resolved one', () => {
      given(...history, scheduled)
        .when(assigned)
        .then([assigned]);
      expect(fold([...history, scheduled, assigned]).episodes[0]).toMatchObject({
        followUp: 'scheduled',
        followUpWorker: 'kw-9',
      });
      given(...history)
        .when(assigned)
        .thenFails('conflict', 'assign-pending-follow-up');
      const missed = ev('FollowUpMissed', {
        occurredAt: '2025-12-16T00:00:00.000Z',
        episode: 1,
        reason: 'uncontactable',
      });
      given(...history, scheduled, missed)
        .when(assigned)
        .thenFails('conflict', 'assign-pending-follow-up');
    });
    it('completes a follow-up before it falls due (early, inside the window)', () => {
      const completed = ev('FollowUpCompleted', {
        occurredAt: '2025-12-10T00:00:00.000Z',
        episode: 1,
        assessment: { asbTypes: [] },
      });
      given(...history, scheduled)
        .when(completed)
        .then([completed]);
    });
    it('refuses a schedule whose window does not contain the due date', () => {
      given(...history)
        .when(
          ev('FollowUpScheduled', {
            ...scheduled.data,
            windowClosesAt: '2026-11-30T00:00:00.000Z',
          } as never),
        )
        .thenFails('invalid', 'window-around-due');
      given(...history)
        .when(
          ev('FollowUpScheduled', {
            ...scheduled.data,
            overdueAt: '2026-11-30T00:00:00.000Z',
          } as never),
        )
        .thenFails('invalid', 'not-before-due-at');
    });
    it('names an episode that exists', () => {
      const other = ev('FollowUpDue', { occurredAt: '2025-12-15T00:00:00.000Z', episode: 7 });
      given(referred(), offered(), accepted(), exited())
        .when(other)
        .thenFails('invalid', 'episode-exists');
    });
  });

  describe('the key worker', () => {
    it('is whoever was assigned or took over last (KeyWorkerAssigned, LeadWorkerChanged)', () => {
      const assigned = ev('KeyWorkerAssigned', {
        occurredAt: '2025-01-26T00:00:00.000Z',
        workerId: 'kw-1',
      });
      const changed = ev('LeadWorkerChanged', {
        occurredAt: '2025-03-01T00:00:00.000Z',
        workerId: 'kw-2',
        reason: 'school transition',
      });
      const history = [referred(), offered(), accepted(), assigned];
      expect(fold(history).keyWorker).toBe('kw-1');
      expect(fold([...history, changed]).keyWorker).toBe('kw-2');
    });
  });

  describe('dates', () => {
    it('refuses occurredAt in the future', () => {
      given()
        .when(referred('2026-01-02T00:00:00.000Z'), '2026-01-01T00:00:00.000Z')
        .thenFails('invalid', 'not-in-future');
    });
    it('keeps lifecycle events in date order within an episode', () => {
      given(referred(), offered())
        .when(accepted('2025-01-15T00:00:00.000Z'))
        .thenFails('conflict', 'lifecycle-date-order');
    });
    it('refuses work dated before the referral', () => {
      const support = ev('SupportDelivered', {
        occurredAt: '2025-01-01T00:00:00.000Z',
        supportType: 'parenting',
      });
      given(referred()).when(support).thenFails('conflict', 'after-referral');
    });
    it('marks incidents, attendance and assessments before the referral as baseline history', () => {
      const early = incident('2024-11-01T00:00:00.000Z');
      given(referred())
        .when(early)
        .then([{ ...early, data: { ...early.data, beforeReferral: true } } as FamilyEvent]);
      const later = incident('2025-03-01T00:00:00.000Z');
      given(referred()).when(later).then([later]);
    });
    it('ignores a client-supplied baseline mark', () => {
      const spoofed = { ...incident('2025-03-01T00:00:00.000Z') };
      (spoofed.data as { beforeReferral?: true }).beforeReferral = true;
      given(referred())
        .when(spoofed)
        .then([incident('2025-03-01T00:00:00.000Z')]);
    });
  });

  describe('CAFs', () => {
    const opened = ev('CafOpened', {
      occurredAt: '2025-02-01T00:00:00.000Z',
      cafId: 'caf-1',
      childId: 'c-1',
    });
    const closed = ev('CafClosed', {
      occurredAt: '2025-05-01T00:00:00.000Z',
      cafId: 'caf-1',
      needsMet: true,
    });
    it('closes only an open CAF', () => {
      given(referred()).when(closed).thenFails('conflict', 'caf-must-be-open');
      given(referred(), opened).when(closed).then([closed]);
      given(referred(), opened, closed).when(closed).thenFails('conflict', 'caf-must-be-open');
    });
    it('joins only known CAFs into a team around the family', () => {
      const team = ev('TeamAroundFamilyFormed', {
        occurredAt: '2025-03-01T00:00:00.000Z',
        cafIds: ['caf-1', 'caf-2'],
      });
      given(referred(), opened).when(team).thenFails('conflict', 'caf-must-exist');
    });
  });

  describe('payload rules', () => {
    const attendance = (attendedSessions: number, unauthorisedSessions: number) =>
      ev('SchoolAttendanceRecorded', {
        occurredAt: '2025-04-01T00:00:00.000Z',
        childId: 'c-1',
        periodStart: '2025-01-06T00:00:00.000Z',
        periodEnd: '2025-03-28T00:00:00.000Z',
        possibleSessions: 100,
        attendedSessions,
        unauthorisedSessions,
      });
    it('checks attendance sessions add up', () => {
      given(referred()).when(attendance(101, 0)).thenFails('invalid', 'at-most-possible');
      given(referred()).when(attendance(80, 25)).thenFails('invalid', 'at-most-missed');
      given(referred())
        .when(attendance(80, 20))
        .then([attendance(80, 20)]);
    });
  });

  describe('idempotent retries', () => {
    it('treats the same payload in another key order as the same record', () => {
      const a = ev('ReviewHeld', { occurredAt: '2025-03-01T00:00:00.000Z', weeklyContactHours: 6 });
      const b = {
        type: 'ReviewHeld',
        data: { weeklyContactHours: 6, occurredAt: '2025-03-01T00:00:00.000Z' },
      } as FamilyEvent;
      expect(isSameRecord(a, b)).toBe(true);
      const c = ev('ReviewHeld', { occurredAt: '2025-03-01T00:00:00.000Z', weeklyContactHours: 7 });
      expect(isSameRecord(a, c)).toBe(false);
    });
  });

  describe('personal details travel sealed; erasure is once and final', () => {
    const seal = {
      alg: 'A256GCM',
      keyId: 'k',
      iv: 'aXY=',
      tag: 'dGFn',
      ciphertext: 'Y3Q=',
    } as const;
    const details = (d: unknown = seal, occurredAt = '2025-02-01T00:00:00.000Z') =>
      ({
        type: 'MemberDetailsRecorded',
        data: { occurredAt, memberId: 'p1', role: 'parent', details: d },
      }) as FamilyEvent;
    const erased = (occurredAt = '2025-03-01T00:00:00.000Z') => ev('FamilyErased', { occurredAt });

    it('records sealed details at any time, even after an exit', () => {
      given(referred(), exited('disengaged')).when(details()).then([details()]);
    });
    it('refuses details in clear, on a referral or on their own', () => {
      given(referred())
        .when(details({ name: 'A Person' }))
        .thenFails('invalid', 'details-sealed');
      const clearReferral = {
        type: 'FamilyReferred',
        data: {
          ...referred().data,
          members: [{ memberId: 'p1', role: 'parent', details: { name: 'A Person' } }],
        },
      } as unknown as FamilyEvent;
      given().when(clearReferral).thenFails('invalid', 'details-sealed');
      const flatReferral = {
        type: 'FamilyReferred',
        data: {
          ...referred().data,
          members: [{ memberId: 'p1', role: 'parent', name: 'A Person' }],
        },
      } as unknown as FamilyEvent;
      given().when(flatReferral).thenFails('invalid', 'details-sealed');
    });
    it('erases once; afterwards no details, but other facts still', () => {
      given(referred()).when(erased()).then([erased()]);
      given(referred(), erased()).when(erased()).thenFails('conflict', 'erase-once');
      given(referred(), erased()).when(details()).thenFails('conflict', 'family-erased');
      given(referred(), erased()).when(offered()).then([offered()]);
    });
    it('refuses free text in clear, and any free text after erasure', () => {
      const refused = (reason: unknown) =>
        ev('InterventionRefused', {
          occurredAt: '2025-01-13T00:00:00.000Z',
          stage: 'offer',
          // A sealed reason is what the write path stores (the event type says string: clear).
          reason: reason as string,
        });
      const offer = ev('InterventionOffered', { occurredAt: '2025-01-12T00:00:00.000Z' });
      given(referred(), offer)
        .when(refused('A Person said no'))
        .thenFails('invalid', 'text-sealed');
      given(referred(), offer)
        .when(refused(seal))
        .then([refused(seal)]);
      given(referred(), offer, erased('2025-01-12T12:00:00.000Z'))
        .when(refused(seal))
        .thenFails('conflict', 'family-erased');
    });
    it('needs a family to erase', () => {
      given().when(erased()).thenFails('conflict', 'episode-starts-with-referral');
    });
  });
});
