import { DomainError, familyEventOf, familyStreamId, fold } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { FamilyNotFound, Recorded, storedFamilyId } from '@app/recording';
import { PersonalDataVault, Principal } from '@app/security';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { CorrelationId } from '../http/correlation';
import { UuidParam } from '../http/validation';
import { Allow, CurrentPrincipal } from '../auth/decorators';
import { ApiProblems } from '../docs/problems';
import { FamilyWrites } from '../families/family-writes';

export interface Erasure {
  familyId: string;
  erased: true;
  /** The `FamilyErased` event (the first one, if the family was already erased). */
  eventId: string;
  position: string;
}

@Controller('v1/families')
export class ErasureController extends FamilyWrites {
  constructor(private readonly vault: PersonalDataVault) {
    super();
  }

  /**
   * Erases a family's personal data: records `FamilyErased` (no personal data in it), then
   * destroys the family's key, so every sealed detail on its stream is unreadable for good while
   * its facts (and so every count) stay. Asking again is safe: the key is destroyed if it is still
   * there and the first erasure is returned.
   */
  @Post(':familyId/erasure')
  @HttpCode(200)
  @Allow('families:erase')
  @ApiProblems(404)
  async erase(
    @UuidParam('familyId') familyId: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<Erasure> {
    // The id is a key inside the caller's authority (`storedFamilyId`), as on every family route.
    const named = await this.store.readStream(familyStreamId(familyId));
    const storedId = storedFamilyId(principal.authority, familyId, stateOf(named).authority);
    const history =
      storedId === familyId ? named : await this.store.readStream(familyStreamId(storedId));
    const state = stateOf(history);
    // A family of another authority is reported as unknown: its existence is not revealed.
    const visible =
      history.length && (principal.authority === null || principal.authority === state.authority);
    if (!visible) throw new FamilyNotFound(familyId);

    const previous = history.find((e) => e.type === 'FamilyErased');
    let answer: Pick<Recorded, 'eventId' | 'position'>;
    if (previous) {
      answer = { eventId: previous.id, position: previous.position.toString() };
    } else {
      try {
        answer = await this.recordAs(principal, correlationId, {
          familyId,
          intent: { type: 'EraseFamily', occurredAt: this.clock.now().toISOString() },
        });
      } catch (error) {
        // Erased meanwhile by another request: answer with that erasure.
        if (!(error instanceof DomainError && error.rule === 'erase-once')) throw error;
        const again = await this.store.readStream(familyStreamId(storedId));
        const first = again.find((e) => e.type === 'FamilyErased')!;
        answer = { eventId: first.id, position: first.position.toString() };
      }
    }
    await this.vault.destroy(storedId);
    return { familyId, erased: true, ...answer };
  }
}

const stateOf = (history: RecordedEvent[]) => fold(history.map(familyEventOf));
