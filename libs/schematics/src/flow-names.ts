import { strings } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';

/** The names a flow's files and symbols are built from, all from its kebab-case name. */
export interface FlowNames {
  /** Flow (saga) name, folder and file prefix: `room-booking`. */
  name: string;
  /** Class prefix and contract constant: `RoomBooking`. */
  className: string;
  /** Constant prefix: `ROOM_BOOKING`. */
  constantName: string;
  /** Proto package: `room_booking`. */
  protoPackage: string;
}

/** The names of one task of a flow. */
export interface TaskNames {
  /** File name and wire name: `charge-card`. */
  name: string;
  /** Contract key and handler name: `chargeCard`. */
  key: string;
  /** Class prefix: `ChargeCard`. */
  className: string;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Names of the flow called `raw` (`hotel`, `RoomBooking`, `room_booking`); throws on a name that is no identifier. */
export function flowNames(raw: string): FlowNames {
  const name = kebab(raw, 'flow');
  return {
    name,
    className: strings.classify(name),
    constantName: strings.underscore(name).toUpperCase(),
    protoPackage: strings.underscore(name),
  };
}

/** Names of the task called `raw`. */
export function taskNames(raw: string): TaskNames {
  const name = kebab(raw, 'task');
  return { name, key: strings.camelize(name), className: strings.classify(name) };
}

function kebab(raw: string, what: string): string {
  const name = strings.dasherize(raw.trim());
  if (!KEBAB.test(name)) {
    throw new SchematicsException(
      `'${raw}' cannot name a ${what}: use letters and digits, starting with a letter (e.g. 'room-booking').`,
    );
  }
  return name;
}
