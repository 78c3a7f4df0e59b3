import {
  AssessmentStage,
  CONSENT_PURPOSES,
  ConsentPurpose,
  consentPurposeCode,
  ExitType,
  FamilyEventData,
  FamilyMember,
  PersonalDetails,
  FamilyEventType,
  HousingAction,
  MemberRole,
  NATIONAL,
  RefusalStage,
  namesNational,
} from '@app/domain';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { IsBirthDate, IsCleanText, IsEffectiveDate } from './validation';

/**
 * The `data` of each recordable event type, as the API accepts it. Each class implements the
 * domain's payload type (minus `occurredAt`, which the request carries beside `data`), so the
 * compiler keeps the two in step.
 */
type Payload<T extends FamilyEventType> = Omit<FamilyEventData[T], 'occurredAt' | 'beforeReferral'>;

/** Codes and ids: letters, digits, `_`, `-`, `.`, `:`; no free text, so no personal data. */
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const codeMessage = { message: '$property must be a code of letters, digits, _ . : -' };

export function Code(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(64)(target, key);
    Matches(CODE, codeMessage)(target, key);
  };
}

/** An authority's code: a code, and never `national` (a scope, not an authority). */
export function AuthorityCode(): PropertyDecorator {
  return (target, key) => {
    Code()(target, key);
    ValidateBy({
      name: 'notNational',
      validator: {
        validate: (value) => typeof value !== 'string' || !namesNational(value),
        defaultMessage: () => `$property '${NATIONAL}' is a scope, not an authority's code`,
      },
    })(target, key);
  };
}

function Codes(min = 0): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    ArrayMinSize(min)(target, key);
    ArrayMaxSize(50)(target, key);
    IsString({ each: true })(target, key);
    MaxLength(64, { each: true })(target, key);
    Matches(CODE, { each: true, ...codeMessage })(target, key);
  };
}

/** Free text: no control characters, no bidi overrides, no broken UTF-16 (see IsCleanText). */
function Text(max = 500): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(max)(target, key);
    IsCleanText()(target, key);
  };
}

/** A person's name or an address: clean text, not blank. */
function PersonalText(max: number): PropertyDecorator {
  return (target, key) => {
    Text(max)(target, key);
    Matches(/\S/, { message: '$property must not be blank' })(target, key);
  };
}

function Hours(max: number): PropertyDecorator {
  return (target, key) => {
    IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })(target, key);
    Min(0)(target, key);
    Max(max)(target, key);
  };
}

function Count(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(0)(target, key);
    Max(100_000)(target, key);
  };
}

const MEMBER_ROLES: MemberRole[] = ['parent', 'carer', 'child', 'other'];
const REFUSAL_STAGES: RefusalStage[] = ['offer', 'support_plan', 'intervention'];
const HOUSING_ACTIONS: HousingAction[] = [
  'nosp',
  'eviction_notice',
  'eviction',
  'asbo',
  'injunction',
  'other',
];
const ASSESSMENT_STAGES: AssessmentStage[] = [
  'referral',
  'support_plan',
  'review',
  'exit',
  'follow_up',
];

/**
 * A member as the API takes it: the personal details (optional) arrive in clear and are sealed
 * with the family's key before anything is stored (see `withSealableDetails`).
 */
export class MemberDto {
  @Code() memberId!: string;
  @IsIn(MEMBER_ROLES) role!: MemberRole;
  @IsOptional() @PersonalText(200) name?: string;
  @IsOptional() @IsBirthDate() dateOfBirth?: string;
  @IsOptional() @PersonalText(500) address?: string;
}

/** `MemberDetailsRecorded`: a member's details, added or replaced; at least one of them. */
export class MemberDetailsPayload extends MemberDto {}

/**
 * The member in its domain shape: the clear details gathered under `details` (to be sealed by the
 * write path), or none. Undefined if a member-details event names no detail at all.
 */
export function withSealableDetails(member: MemberDto): FamilyMember {
  const { memberId, role, name, dateOfBirth, address } = member;
  const details: PersonalDetails = {
    ...(name !== undefined ? { name } : {}),
    ...(dateOfBirth !== undefined ? { dateOfBirth } : {}),
    ...(address !== undefined ? { address } : {}),
  };
  return Object.keys(details).length
    ? ({ memberId, role, details } as unknown as FamilyMember)
    : { memberId, role };
}

/**
 * A referral. `programme`, `source` and `reasons` are codes of their lists (`libs/domain/codes`,
 * and the authority's additions), in any case: the write path stores the listed code
 * (`matchCodes`) or refuses the value with the allowed ones.
 */
export class FamilyReferredPayload implements Omit<Payload<'FamilyReferred'>, 'members'> {
  @AuthorityCode() authority!: string;
  @Code() programme!: string;
  @Code() source!: string;
  @Codes(1) reasons!: string[];
  @IsOptional() @Codes() eligibilityCriteria?: string[];
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => MemberDto)
  members?: MemberDto[];
}

export class EmptyPayload {}

export class InterventionRefusedPayload implements Payload<'InterventionRefused'> {
  @IsIn(REFUSAL_STAGES) stage!: RefusalStage;
  @IsOptional() @Text() reason?: string;
}

export class SupportPlanAgreedPayload implements Payload<'SupportPlanAgreed'> {
  @Codes(1) domains!: string[];
  @Hours(168) plannedWeeklyHours!: number;
}

export class KeyWorkerAssignedPayload implements Payload<'KeyWorkerAssigned'> {
  @Code() workerId!: string;
}

export class LeadWorkerChangedPayload implements Payload<'LeadWorkerChanged'> {
  @Code() workerId!: string;
  @IsOptional() @Text() reason?: string;
}

export class ReviewHeldPayload implements Payload<'ReviewHeld'> {
  @Hours(168) weeklyContactHours!: number;
}

export class CafOpenedPayload implements Payload<'CafOpened'> {
  @Code() cafId!: string;
  @Code() childId!: string;
  @IsOptional() @Code() leadWorker?: string;
  @IsOptional() @Codes() presentingNeeds?: string[];
}

export class CafReviewedPayload implements Payload<'CafReviewed'> {
  @Code() cafId!: string;
  @IsOptional() @IsBoolean() goalsMet?: boolean;
}

export class CafClosedPayload implements Payload<'CafClosed'> {
  @Code() cafId!: string;
  @IsBoolean() needsMet!: boolean;
}

export class TeamAroundFamilyFormedPayload implements Payload<'TeamAroundFamilyFormed'> {
  @Codes(2) cafIds!: string[];
}

export class AsbIncidentRecordedPayload implements Payload<'AsbIncidentRecorded'> {
  @Code() asbType!: string;
  @Code() sourceAgency!: string;
}

export class HousingEnforcementActionPayload implements Payload<'HousingEnforcementAction'> {
  @IsIn(HOUSING_ACTIONS) action!: HousingAction;
}

export class OffenceRecordedPayload implements Payload<'OffenceRecorded'> {
  @Code() offenceType!: string;
  @IsOptional() @Code() memberId?: string;
}

export class SchoolAttendanceRecordedPayload implements Payload<'SchoolAttendanceRecorded'> {
  @Code() childId!: string;
  @IsEffectiveDate() periodStart!: string;
  @IsEffectiveDate() periodEnd!: string;
  @Count() possibleSessions!: number;
  @Count() attendedSessions!: number;
  @Count() unauthorisedSessions!: number;
}

export class SchoolExclusionRecordedPayload implements Payload<'SchoolExclusionRecorded'> {
  @Code() childId!: string;
  @IsIn(['fixed_term', 'permanent']) exclusionType!: 'fixed_term' | 'permanent';
  @IsOptional() @Count() days?: number;
}

/** The per-domain flags of an assessment (also the body of a follow-up's completion). */
export class DomainAssessmentPayload implements Omit<Payload<'DomainAssessmentRecorded'>, 'stage'> {
  @IsOptional() @Codes() asbTypes?: string[];
  @IsOptional() @Count() housingEnforcementActions?: number;
  @IsOptional() @IsBoolean() educationProblems?: boolean;
  @IsOptional() @IsBoolean() truancyExclusionBehaviour?: boolean;
  @IsOptional() @IsBoolean() childProtectionConcern?: boolean;
  @IsOptional() @IsBoolean() domesticViolence?: boolean;
  @IsOptional() @IsBoolean() drugAlcoholProblem?: boolean;
  @IsOptional() @Codes() evidenceSources?: string[];
}

export class DomainAssessmentRecordedPayload
  extends DomainAssessmentPayload
  implements Payload<'DomainAssessmentRecorded'>
{
  @IsIn(ASSESSMENT_STAGES) stage!: AssessmentStage;
}

export class SupportDeliveredPayload implements Payload<'SupportDelivered'> {
  @Code() supportType!: string;
  @IsOptional() @Hours(10_000) hours?: number;
}

export class FamilyExitedPayload implements Payload<'FamilyExited'> {
  /** A code of the exit types' list, any case: matched by the write path (`matchCodes`). */
  @Code() exitType!: ExitType;
  @IsOptional() @Text() reason?: string;
}

export class FamilyMovedAreaPayload implements Payload<'FamilyMovedArea'> {
  @Code() toAuthority!: string;
}

export class ConsentPayload implements Payload<'ConsentRecorded'> {
  /** A listed purpose, matched case-insensitively and stored as its code. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (consentPurposeCode(value) ?? value) : value,
  )
  @IsIn(CONSENT_PURPOSES)
  purpose!: ConsentPurpose;
}

/**
 * Event types a key worker records through the API. Follow-up events are not here: the
 * follow-up scheduler and its own endpoints record them.
 */
export const PAYLOADS = {
  FamilyReferred: FamilyReferredPayload,
  InterventionOffered: EmptyPayload,
  InterventionAccepted: EmptyPayload,
  InterventionRefused: InterventionRefusedPayload,
  SupportPlanAgreed: SupportPlanAgreedPayload,
  KeyWorkerAssigned: KeyWorkerAssignedPayload,
  LeadWorkerChanged: LeadWorkerChangedPayload,
  ReviewHeld: ReviewHeldPayload,
  CafOpened: CafOpenedPayload,
  CafReviewed: CafReviewedPayload,
  CafClosed: CafClosedPayload,
  TeamAroundFamilyFormed: TeamAroundFamilyFormedPayload,
  AsbIncidentRecorded: AsbIncidentRecordedPayload,
  HousingEnforcementAction: HousingEnforcementActionPayload,
  OffenceRecorded: OffenceRecordedPayload,
  SchoolAttendanceRecorded: SchoolAttendanceRecordedPayload,
  SchoolExclusionRecorded: SchoolExclusionRecordedPayload,
  DomainAssessmentRecorded: DomainAssessmentRecordedPayload,
  SupportDelivered: SupportDeliveredPayload,
  FamilyExited: FamilyExitedPayload,
  FamilyMovedArea: FamilyMovedAreaPayload,
  ConsentRecorded: ConsentPayload,
  ConsentWithdrawn: ConsentPayload,
  MemberDetailsRecorded: MemberDetailsPayload,
} satisfies Partial<Record<FamilyEventType, new () => object>>;

export type RecordableType = keyof typeof PAYLOADS;
export const RECORDABLE_TYPES = Object.keys(PAYLOADS) as RecordableType[];

/** Payload fields that hold effective dates, stored in one normal form. */
export const DATE_FIELDS = ['periodStart', 'periodEnd'] as const;
