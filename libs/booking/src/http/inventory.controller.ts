import { BadRequestException, Controller, Get, Param } from '@nestjs/common';
import { isProductId } from '../dto/booking-input.validators';
import { InventoryService } from '../inventory/inventory.service';
import type { StockLevel } from '../inventory/stock.document';

/** `GET /inventory/:productId`: a product's stock (a product never booked shows its initial stock). */
@Controller('inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get(':productId')
  async stock(@Param('productId') productId: string): Promise<StockLevel> {
    if (!isProductId(productId)) {
      throw new BadRequestException([
        "productId must be a non-empty string of at most 64 letters, digits, '.', '_' or '-'",
      ]);
    }
    return this.inventory.stock(productId);
  }
}
