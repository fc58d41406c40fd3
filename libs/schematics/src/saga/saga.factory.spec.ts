import { APP_MODULE, nestWorkspace, runner } from '../testing/nest-app.fixture';

const FLOW_FILES = [
  'dto/start-hotel.dto.ts',
  'hotel-grpc.controller.ts',
  'hotel-grpc.interfaces.ts',
  'hotel-grpc.options.ts',
  'hotel.contract.ts',
  'hotel.controller.ts',
  'hotel.module.ts',
  'hotel.reservations.ts',
  'hotel.saga.spec.ts',
  'hotel.saga.ts',
  'tasks/confirm-hotel.task.ts',
  'tasks/reserve-hotel.task.ts',
];

describe('saga schematic', () => {
  it("generates the flow in the default project's source root, and its proto beside the others", async () => {
    const tree = await runner().runSchematic('saga', { name: 'hotel' }, nestWorkspace());

    const created = tree.files.filter((f) => f.startsWith('/apps/api/src/hotel/'));
    expect(created.sort()).toEqual(FLOW_FILES.map((f) => `/apps/api/src/hotel/${f}`).sort());
    expect(tree.exists('/proto/hotel.proto')).toBe(true);
  });

  it('imports the flow module into the nearest module', async () => {
    const tree = await runner().runSchematic('saga', { name: 'hotel' }, nestWorkspace());

    expect(tree.readContent('/apps/api/src/app.module.ts')).toBe(
      APP_MODULE.replace(
        "import { ConfigModule } from '@nestjs/config';",
        "import { ConfigModule } from '@nestjs/config';\nimport { HotelModule } from './hotel/hotel.module';",
      ).replace('[ConfigModule.forRoot()]', '[ConfigModule.forRoot(), HotelModule]'),
    );
  });

  it('declares two tasks typed by DTOs, steps typed by the contract, and hosts with compensations', async () => {
    const tree = await runner().runSchematic('saga', { name: 'room-booking' }, nestWorkspace());
    const read = (file: string) => tree.readContent(`/apps/api/src/room-booking/${file}`);

    expect(read('room-booking.contract.ts')).toContain(
      "export const RoomBooking = defineSaga('room-booking', {",
    );
    expect(read('room-booking.contract.ts')).toContain(
      'reserveRoomBooking: task<StartRoomBookingDto, RoomBookingReserved>(',
    );
    expect(read('room-booking.saga.ts')).toContain('type RoomBookingState = SagaState<typeof RoomBooking>;');
    expect(read('tasks/reserve-room-booking.task.ts')).toContain(
      '@Compensate(RoomBooking.task.reserveRoomBooking)',
    );
    expect(read('tasks/confirm-room-booking.task.ts')).toContain(
      '@Compensate(RoomBooking.task.confirmRoomBooking)',
    );
    expect(read('room-booking-grpc.options.ts')).toContain(
      "export const ROOM_BOOKING_GRPC_PACKAGE = 'room_booking';",
    );
    expect(tree.readContent('/proto/room-booking.proto')).toContain('package room_booking;');
  });

  it('follows --project and a path under its source root, importing into the nearest module there', async () => {
    const tree = await runner().runSchematic('saga', { name: 'hotel', path: 'shop' }, nestWorkspace());
    const other = await runner().runSchematic('saga', { name: 'hotel', project: 'worker' }, nestWorkspace());

    expect(tree.exists('/apps/api/src/shop/hotel/hotel.saga.ts')).toBe(true);
    expect(tree.readContent('/apps/api/src/shop/shop.module.ts')).toContain("from './hotel/hotel.module'");
    expect(tree.readContent('/apps/api/src/app.module.ts')).toBe(APP_MODULE);
    expect(other.exists('/apps/worker/src/hotel/hotel.saga.ts')).toBe(true);
    expect(other.readContent('/apps/worker/src/app.module.ts')).toContain('HotelModule');
  });

  it('takes the source root `nest g` passes, as the CLI passes its options', async () => {
    const tree = await runner().runSchematic(
      'saga',
      {
        name: 'hotel',
        sourceRoot: 'apps/worker/src',
        spec: true,
        flat: false,
        language: 'ts',
        skipImport: false,
      },
      nestWorkspace(),
    );

    expect(tree.exists('/apps/worker/src/hotel/hotel.saga.spec.ts')).toBe(true);
  });

  it('imports into the module given with --module, or none with --skip-import', async () => {
    const chosen = await runner().runSchematic(
      'saga',
      { name: 'hotel', module: 'shop/shop.module.ts' },
      nestWorkspace(),
    );
    const skipped = await runner().runSchematic('saga', { name: 'hotel', skipImport: true }, nestWorkspace());

    expect(chosen.readContent('/apps/api/src/shop/shop.module.ts')).toContain("from '../hotel/hotel.module'");
    expect(chosen.readContent('/apps/api/src/app.module.ts')).toBe(APP_MODULE);
    expect(skipped.readContent('/apps/api/src/app.module.ts')).toBe(APP_MODULE);
  });

  it('leaves the spec out with --no-spec, and the folder with --flat', async () => {
    const tree = await runner().runSchematic(
      'saga',
      { name: 'hotel', spec: false, flat: true },
      nestWorkspace(),
    );

    expect(tree.exists('/apps/api/src/hotel.saga.ts')).toBe(true);
    expect(tree.exists('/apps/api/src/hotel.saga.spec.ts')).toBe(false);
    expect(tree.readContent('/apps/api/src/app.module.ts')).toContain("from './hotel.module'");
  });

  it('refuses a flow that exists, and a name that is no identifier', async () => {
    const tree = await runner().runSchematic('saga', { name: 'hotel' }, nestWorkspace());

    await expect(runner().runSchematic('saga', { name: 'hotel' }, tree)).rejects.toThrow(/exists already/);
    await expect(runner().runSchematic('saga', { name: '1st' }, nestWorkspace())).rejects.toThrow(
      /cannot name a flow/,
    );
    await expect(
      runner().runSchematic('saga', { name: 'hotel', project: 'nope' }, nestWorkspace()),
    ).rejects.toThrow(/Project 'nope' has no sourceRoot/);
  });
});
