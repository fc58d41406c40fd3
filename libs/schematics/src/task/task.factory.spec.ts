import type { UnitTestTree } from '@angular-devkit/schematics/testing';
import { nestWorkspace, runner } from '../testing/nest-app.fixture';

const FLOW = '/apps/api/src/hotel';

/** The workspace with the `hotel` flow generated in the default project. */
async function withHotel(): Promise<UnitTestTree> {
  return runner().runSchematic('saga', { name: 'hotel' }, nestWorkspace());
}

describe('task schematic', () => {
  it('adds the contract entry and its types, a host, a last step and the provider (nest g form)', async () => {
    // `nest g -c @dta/schematics task hotel charge-card` passes `--name=hotel --path=charge-card`.
    const tree = await runner().runSchematic(
      'task',
      { name: 'hotel', path: 'charge-card' },
      await withHotel(),
    );
    const read = (file: string) => tree.readContent(`${FLOW}/${file}`);

    expect(read('hotel.contract.ts')).toMatch(
      /confirmHotel: task<.*>\(.*\),\n\s+chargeCard: task<ChargeCardCmd, ChargeCardResult>\(\{ timeout: '2s', attempts: 3 \}\),\n\s+\},/,
    );
    expect(read('hotel.contract.ts')).toContain('export type ChargeCardCmd = StartHotelDto;');
    expect(read('hotel.saga.ts')).toMatch(
      /@Step\(3, \['chargeCard'\]\)\n\s+chargeCard\(s: HotelState\) \{\n\s+return \{ chargeCard: s.input \};/,
    );
    expect(read('tasks/charge-card.task.ts')).toContain('@Task(Hotel.task.chargeCard)');
    expect(read('tasks/charge-card.task.ts')).toContain('@Compensate(Hotel.task.chargeCard)');
    expect(read('hotel.module.ts')).toContain("import { ChargeCardTask } from './tasks/charge-card.task';");
    expect(read('hotel.module.ts')).toMatch(/providers: \[[^\]]*ConfirmHotelTask, ChargeCardTask\]/);
  });

  it('takes <flow> <task> as the schematics CLI passes them, and numbers each new step after the last', async () => {
    const once = await runner().runSchematic(
      'task',
      { flow: 'hotel', name: 'charge-card' },
      await withHotel(),
    );
    const twice = await runner().runSchematic('task', { flow: 'hotel', name: 'SendMail' }, once);

    expect(twice.readContent(`${FLOW}/hotel.saga.ts`)).toContain("@Step(4, ['sendMail'])");
    expect(twice.exists(`${FLOW}/tasks/send-mail.task.ts`)).toBe(true);
  });

  it('leaves the module alone with --skip-import', async () => {
    const before = await withHotel();
    const module = before.readContent(`${FLOW}/hotel.module.ts`);
    const tree = await runner().runSchematic(
      'task',
      { flow: 'hotel', name: 'charge-card', skipImport: true },
      before,
    );

    expect(tree.readContent(`${FLOW}/hotel.module.ts`)).toBe(module);
  });

  it('says how to go on when the flow is not there, or the task is', async () => {
    const tree = await withHotel();

    await expect(runner().runSchematic('task', { flow: 'ship', name: 'pack' }, tree)).rejects.toThrow(
      /No ship\.contract\.ts under apps\/api\/src: generate the flow first/,
    );
    await expect(
      runner().runSchematic('task', { flow: 'hotel', name: 'reserve-hotel' }, tree),
    ).rejects.toThrow(/has a task 'reserveHotel' already/);
    await expect(runner().runSchematic('task', { name: 'hotel' }, tree)).rejects.toThrow(
      /Name the flow and the task/,
    );
  });

  it('refuses a contract it cannot edit safely, and changes no file', async () => {
    const tree = await withHotel();
    const contract = tree.readContent(`${FLOW}/hotel.contract.ts`).replace(/tasks: \{/, 'tasks: TASKS, _: {');
    tree.overwrite(`${FLOW}/hotel.contract.ts`, contract);
    const saga = tree.readContent(`${FLOW}/hotel.saga.ts`);

    await expect(runner().runSchematic('task', { flow: 'hotel', name: 'charge-card' }, tree)).rejects.toThrow(
      /Cannot add task 'charge-card' to .*hotel\.contract\.ts: its `tasks` is not an object literal. Add it by hand/,
    );
    expect(tree.readContent(`${FLOW}/hotel.contract.ts`)).toBe(contract);
    expect(tree.readContent(`${FLOW}/hotel.saga.ts`)).toBe(saga);
    expect(tree.exists(`${FLOW}/tasks/charge-card.task.ts`)).toBe(false);
  });

  it('refuses a saga class it cannot find, before touching the contract', async () => {
    const tree = await withHotel();
    tree.overwrite(`${FLOW}/hotel.saga.ts`, 'export class HotelSaga {}\n');
    const contract = tree.readContent(`${FLOW}/hotel.contract.ts`);

    await expect(runner().runSchematic('task', { flow: 'hotel', name: 'charge-card' }, tree)).rejects.toThrow(
      /no class decorated with @Saga\(Hotel\)/,
    );
    expect(tree.readContent(`${FLOW}/hotel.contract.ts`)).toBe(contract);
  });
});
