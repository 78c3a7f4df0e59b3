import { EpisodeOutcome } from '@app/outcomes';

/** Row form of an episode for `jsonb_populate_recordset(null::outcome_episodes, …)`. */
export function episodeRecords(episodes: EpisodeOutcome[]): Record<string, unknown>[] {
  return episodes.map((e) => ({
    family_id: e.familyId,
    episode: e.episode,
    authority: e.authority,
    programme: e.programme,
    status: e.status,
    referred_at: e.referredAt,
    offered_at: e.offeredAt,
    accepted_at: e.acceptedAt,
    support_plan_agreed_at: e.supportPlanAgreedAt,
    refused_at: e.refusedAt,
    refusal_stage: e.refusalStage,
    exited_at: e.exitedAt,
    exit_type: e.exitType,
    moved_area: e.movedArea,
    revisited: e.revisited,
    baseline_assessed: e.masks.baseline.assessed.toString(),
    baseline_present: e.masks.baseline.present.toString(),
    exit_assessed: e.masks.exit.assessed.toString(),
    exit_present: e.masks.exit.present.toString(),
    latest_assessed: e.masks.latest.assessed.toString(),
    latest_present: e.masks.latest.present.toString(),
    follow_up_assessed: e.masks.followUp.assessed.toString(),
    follow_up_present: e.masks.followUp.present.toString(),
    early_weekly_hours: e.earlyWeeklyHours,
    late_weekly_hours: e.lateWeeklyHours,
    support_types: e.supportTypes,
    evaluation_withdrawn_at: e.evaluationWithdrawnAt,
  }));
}
