export { distributedSagaModule } from './distributed-saga.module';
export { startFrontDoor, startService } from './booking-hosts';
