import { startFrontDoor } from '@dta/booking';
import { AppModule } from './app.module';

void startFrontDoor(AppModule, 'Gateway');
