import { OutcomeDefinitions } from '@app/outcomes';
import { projectionCheckpoints } from '@app/projections';
import { validated } from '@app/recording';
import {
  DisclosureRule,
  ExtractRecipients,
  shownCount,
  disclosedExtract,
  extractExclusions,
  extractRows,
  recipientOf,
  recordsAt,
  scopeName,
  specNamed,
} from '@app/returns';
import { Principal } from '@app/security';
import {
  Controller,
  ForbiddenException,
  Get,
  Inject,
  Param,
  ParseUUIDPipe,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Allow, CurrentPrincipal } from '../auth/decorators';
import { visibleReturn } from './returns.view';
import { ApiProblems } from '../docs/problems';
import { DISCLOSURE_RULE } from '../outcomes/disclosure-rule';
import { OUTCOME_DEFINITIONS } from '../outcomes/queries';
import { ExtractQuery } from './returns.requests';

/** Injection token of the `ExtractRecipients` (`EXTRACT_RECIPIENT_KEYS[_FILE]`, read at start). */
export const EXTRACT_RECIPIENTS = Symbol('ExtractRecipients');

const refused = (code: string, rule: string, field: string, message: string) =>
  new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    code,
    message,
    errors: [{ field, rule, message }],
  });

/**
 * The record-level extract of a return (issue 14). The recipient is the one the caller's API key
 * is bound to in configuration, never one the caller names; any other caller is refused (403).
 */
@Controller('v1/returns')
export class ExtractController {
  constructor(
    @Inject(EXTRACT_RECIPIENTS) private readonly recipients: ExtractRecipients,
    @Inject(DISCLOSURE_RULE) private readonly rule: DisclosureRule,
    @Inject(OUTCOME_DEFINITIONS) private readonly definitions: OutcomeDefinitions,
    private readonly db: DataSource,
  ) {}

  @Get(':id/extract')
  @Allow('extracts:read')
  @ApiProblems(404, 409)
  async extract(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: unknown,
    @CurrentPrincipal() caller: Principal,
  ) {
    const q = await validated(ExtractQuery, query);
    const recipient = recipientOf(this.recipients, caller);
    if (!recipient) {
      throw refused(
        'extract_not_bound',
        'bound_api_key',
        'credential',
        'an extract goes only to an API key bound to its recipient (EXTRACT_RECIPIENT_KEYS); ' +
          'this credential is bound to none',
      );
    }
    // Kept for callers that sent it before extracts were bound: it selects nothing, it must
    // name the credential's own recipient.
    if (q.recipient !== undefined && q.recipient !== recipient.name) {
      throw refused(
        'recipient_mismatch',
        'own_recipient',
        'recipient',
        `recipient must be the one your API key is bound to (${recipient.name}), or left out`,
      );
    }
    const r = await visibleReturn(this.db, id, caller);
    const timeline = (await projectionCheckpoints(this.db)).get('family_timeline') ?? 0n;
    if (timeline < r.position) {
      throw new ServiceUnavailableException({
        message: `the timeline is being rebuilt (at ${timeline} of ${r.position}); try again shortly`,
      });
    }
    const records = await recordsAt(this.db, this.definitions, r.authority, r.position);
    // The stricter of the return's own rule and the one for evaluator queries.
    const threshold = Math.max(specNamed(r.spec)?.disclosure.threshold ?? 0, this.rule.threshold);
    const { rows, disclosure } = disclosedExtract(
      extractRows(records.episodes, this.definitions, r, recipient.key),
      { threshold },
    );
    return {
      return: {
        id: r.id,
        authority: scopeName(r.authority),
        periodStart: r.periodStart,
        periodEnd: r.periodEnd,
        position: r.position.toString(),
      },
      recipient: recipient.name,
      pseudonyms: 'HMAC-SHA-256 of the family id under a key held for this recipient only',
      disclosure,
      // How many of the return's exits withdrew consent to evaluation or data sharing (in no row); a
      // count from 1 to the threshold − 1 is itself suppressed, as every small count here.
      excludedForConsent: shownCount(extractExclusions(records.episodes, r), { threshold }),
      rows,
    };
  }
}
