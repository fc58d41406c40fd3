import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { setupBookingHttp } from '@dta/booking';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  setupBookingHttp(app);
  const port = app.get(ConfigService).get<string>('PORT', '3000');
  await app.listen(port);
  Logger.log(`Booking system listening on http://localhost:${port}`, 'Standalone');
}

void bootstrap();
