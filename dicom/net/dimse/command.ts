import { ByteSink, type Tag } from '../../core/index.js';
import { DataSet } from '../../dataset/index.js';
import { readDataSet, writeDataSet } from '../../encoding/index.js';
import { DimseError } from './errors.js';
import { Tags } from '../../dictionary/index.js';

/**
 * DIMSE command sets (PS3.7 §9.3, §10.3, Annex E): group 0000 elements, always encoded in
 * Implicit VR Little Endian whatever the presentation context's transfer syntax. Messages are a
 * discriminated union; encode and decode are table-driven from the fields each one carries.
 */
export const COMMAND_FIELD = {
  'C-STORE-RQ': 0x0001,
  'C-STORE-RSP': 0x8001,
  'C-GET-RQ': 0x0010,
  'C-GET-RSP': 0x8010,
  'C-FIND-RQ': 0x0020,
  'C-FIND-RSP': 0x8020,
  'C-MOVE-RQ': 0x0021,
  'C-MOVE-RSP': 0x8021,
  'C-ECHO-RQ': 0x0030,
  'C-ECHO-RSP': 0x8030,
  'N-EVENT-REPORT-RQ': 0x0100,
  'N-EVENT-REPORT-RSP': 0x8100,
  'N-GET-RQ': 0x0110,
  'N-GET-RSP': 0x8110,
  'N-SET-RQ': 0x0120,
  'N-SET-RSP': 0x8120,
  'N-ACTION-RQ': 0x0130,
  'N-ACTION-RSP': 0x8130,
  'N-CREATE-RQ': 0x0140,
  'N-CREATE-RSP': 0x8140,
  'N-DELETE-RQ': 0x0150,
  'N-DELETE-RSP': 0x8150,
  'C-CANCEL-RQ': 0x0fff,
} as const;

export type DimseCommandType = keyof typeof COMMAND_FIELD;

const TYPE_BY_FIELD = new Map<number, DimseCommandType>(
  Object.entries(COMMAND_FIELD).map(([k, v]) => [v, k as DimseCommandType]),
);

/** Command Data Set Type (0000,0800): 0x0101 means no data set follows; anything else, one does. */
export const NO_DATA_SET = 0x0101;

export const PRIORITY = { medium: 0x0000, high: 0x0001, low: 0x0002 } as const;

/** The command elements, by their PS3.7 keyword. */
export const C = {
  CommandGroupLength: Tags.CommandGroupLength,
  AffectedSOPClassUID: Tags.AffectedSOPClassUID,
  RequestedSOPClassUID: Tags.RequestedSOPClassUID,
  CommandField: Tags.CommandField,
  MessageID: Tags.MessageID,
  MessageIDBeingRespondedTo: Tags.MessageIDBeingRespondedTo,
  MoveDestination: Tags.MoveDestination,
  Priority: Tags.Priority,
  CommandDataSetType: Tags.CommandDataSetType,
  Status: Tags.Status,
  OffendingElement: Tags.OffendingElement,
  ErrorComment: Tags.ErrorComment,
  ErrorID: Tags.ErrorID,
  AffectedSOPInstanceUID: Tags.AffectedSOPInstanceUID,
  RequestedSOPInstanceUID: Tags.RequestedSOPInstanceUID,
  EventTypeID: Tags.EventTypeID,
  ActionTypeID: Tags.ActionTypeID,
  NumberOfRemainingSuboperations: Tags.NumberOfRemainingSuboperations,
  NumberOfCompletedSuboperations: Tags.NumberOfCompletedSuboperations,
  NumberOfFailedSuboperations: Tags.NumberOfFailedSuboperations,
  NumberOfWarningSuboperations: Tags.NumberOfWarningSuboperations,
  MoveOriginatorApplicationEntityTitle: Tags.MoveOriginatorApplicationEntityTitle,
  MoveOriginatorMessageID: Tags.MoveOriginatorMessageID,
} as const;

/**
 * A command as plain fields. Which are required depends on the command (checked on decode for
 * the commands this device uses); unknown command elements are kept in `extra`.
 */
export interface DimseCommand {
  readonly type: DimseCommandType;
  readonly hasDataSet: boolean;
  readonly messageId?: number;
  readonly messageIdBeingRespondedTo?: number;
  readonly affectedSopClassUid?: string;
  readonly requestedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  readonly requestedSopInstanceUid?: string;
  readonly priority?: number;
  readonly status?: number;
  readonly offendingElement?: readonly Tag[];
  readonly errorComment?: string;
  readonly errorId?: number;
  readonly moveDestination?: string;
  readonly moveOriginatorAeTitle?: string;
  readonly moveOriginatorMessageId?: number;
  readonly eventTypeId?: number;
  readonly actionTypeId?: number;
  readonly remaining?: number;
  readonly completed?: number;
  readonly failed?: number;
  readonly warning?: number;
}

type Field = {
  readonly key: keyof DimseCommand;
  readonly tag: Tag;
  readonly vr: 'UI' | 'US' | 'AE' | 'LO' | 'AT';
};

/** Field ↔ element, in tag order. */
const FIELDS: readonly Field[] = [
  { key: 'affectedSopClassUid', tag: C.AffectedSOPClassUID, vr: 'UI' },
  { key: 'requestedSopClassUid', tag: C.RequestedSOPClassUID, vr: 'UI' },
  { key: 'messageId', tag: C.MessageID, vr: 'US' },
  { key: 'messageIdBeingRespondedTo', tag: C.MessageIDBeingRespondedTo, vr: 'US' },
  { key: 'moveDestination', tag: C.MoveDestination, vr: 'AE' },
  { key: 'priority', tag: C.Priority, vr: 'US' },
  { key: 'status', tag: C.Status, vr: 'US' },
  { key: 'offendingElement', tag: C.OffendingElement, vr: 'AT' },
  { key: 'errorComment', tag: C.ErrorComment, vr: 'LO' },
  { key: 'errorId', tag: C.ErrorID, vr: 'US' },
  { key: 'affectedSopInstanceUid', tag: C.AffectedSOPInstanceUID, vr: 'UI' },
  { key: 'requestedSopInstanceUid', tag: C.RequestedSOPInstanceUID, vr: 'UI' },
  { key: 'eventTypeId', tag: C.EventTypeID, vr: 'US' },
  { key: 'actionTypeId', tag: C.ActionTypeID, vr: 'US' },
  { key: 'remaining', tag: C.NumberOfRemainingSuboperations, vr: 'US' },
  { key: 'completed', tag: C.NumberOfCompletedSuboperations, vr: 'US' },
  { key: 'failed', tag: C.NumberOfFailedSuboperations, vr: 'US' },
  { key: 'warning', tag: C.NumberOfWarningSuboperations, vr: 'US' },
  { key: 'moveOriginatorAeTitle', tag: C.MoveOriginatorApplicationEntityTitle, vr: 'AE' },
  { key: 'moveOriginatorMessageId', tag: C.MoveOriginatorMessageID, vr: 'US' },
];

/** Fields a received command must carry to be acted on (PS3.7 Tables 9.3-x, 10.3-x). */
const REQUIRED: Partial<Record<DimseCommandType, readonly (keyof DimseCommand)[]>> = {
  'C-ECHO-RSP': ['messageIdBeingRespondedTo', 'status'],
  'C-STORE-RSP': ['messageIdBeingRespondedTo', 'status'],
  'C-FIND-RSP': ['messageIdBeingRespondedTo', 'status'],
  'N-EVENT-REPORT-RQ': ['messageId', 'affectedSopClassUid', 'affectedSopInstanceUid', 'eventTypeId'],
  'N-ACTION-RSP': ['messageIdBeingRespondedTo', 'status'],
  'N-CREATE-RSP': ['messageIdBeingRespondedTo', 'status'],
  'N-SET-RSP': ['messageIdBeingRespondedTo', 'status'],
  'C-ECHO-RQ': ['messageId', 'affectedSopClassUid'],
  'C-STORE-RQ': ['messageId', 'affectedSopClassUid', 'affectedSopInstanceUid', 'priority'],
  'C-FIND-RQ': ['messageId', 'affectedSopClassUid', 'priority'],
  'C-CANCEL-RQ': ['messageIdBeingRespondedTo'],
};

/** Encodes a command set in Implicit VR LE with its group length (PS3.7 §6.3.1). */
export function encodeCommand(cmd: DimseCommand): Uint8Array {
  const ds = new DataSet();
  ds.putNumbers(C.CommandGroupLength, 'UL', 0); // recalculated by the writer
  for (const f of FIELDS) {
    const v = cmd[f.key];
    if (v === undefined) continue;
    if (f.vr === 'US') ds.putNumbers(f.tag, 'US', v as number);
    else if (f.vr === 'AT') ds.putNumbers(f.tag, 'AT', v as readonly number[]);
    else ds.putStrings(f.tag, f.vr, v as string);
  }
  ds.putNumbers(C.CommandField, 'US', COMMAND_FIELD[cmd.type]);
  ds.putNumbers(C.CommandDataSetType, 'US', cmd.hasDataSet ? 0x0000 : NO_DATA_SET);
  const sink = new ByteSink(256);
  writeDataSet(ds, sink, { explicitVR: false, littleEndian: true });
  return sink.toBytes();
}

/** Decodes a command set; a missing or unknown Command Field, or a missing required field, is a DimseError. */
export function decodeCommand(bytes: Uint8Array): DimseCommand {
  let ds: DataSet;
  try {
    ds = readDataSet(bytes, { explicitVR: false, littleEndian: true, toleratetrailingGarbage: false }).dataset;
  } catch (e) {
    throw new DimseError('DIMSE_BAD_COMMAND', `command set does not parse: ${(e as Error).message}`, undefined, { cause: e });
  }
  const field = ds.number(C.CommandField);
  if (field === undefined) throw new DimseError('DIMSE_BAD_COMMAND', 'command set has no Command Field (0000,0100)');
  const type = TYPE_BY_FIELD.get(field);
  if (!type) throw new DimseError('DIMSE_UNKNOWN_COMMAND', `unknown Command Field 0x${field.toString(16).padStart(4, '0')}`);
  const dataSetType = ds.number(C.CommandDataSetType);
  const out: Record<string, unknown> = { type, hasDataSet: dataSetType !== undefined && dataSetType !== NO_DATA_SET };
  for (const f of FIELDS) {
    if (!ds.has(f.tag)) continue;
    try {
      if (f.vr === 'US') out[f.key] = ds.number(f.tag);
      else if (f.vr === 'AT') out[f.key] = ds.numbers(f.tag);
      else out[f.key] = ds.string(f.tag);
    } catch (e) {
      throw new DimseError('DIMSE_BAD_COMMAND', `${type}: element ${f.key} does not decode: ${(e as Error).message}`, undefined, { cause: e });
    }
  }
  for (const key of REQUIRED[type] ?? []) {
    if (out[key] === undefined) throw new DimseError('DIMSE_BAD_COMMAND', `${type} lacks ${key}`);
  }
  return out as unknown as DimseCommand;
}
