import { BadRequestException, Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { CompensationFaultFlags } from '../compensation-fault.flags';

const SAGA_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * `DELETE /faults/:sagaId`: clears a booking's `failCompensation` fault (204, also when none was set), so that
 * `POST /admin/sagas/:id/resume` compensates the stalled saga.
 */
@Controller('faults')
export class FaultsController {
  constructor(private readonly faults: CompensationFaultFlags) {}

  @Delete(':sagaId')
  @HttpCode(204)
  async clear(@Param('sagaId') sagaId: string): Promise<void> {
    if (!SAGA_ID.test(sagaId)) throw new BadRequestException(['sagaId must be a saga id']);
    await this.faults.clear(sagaId);
  }
}
