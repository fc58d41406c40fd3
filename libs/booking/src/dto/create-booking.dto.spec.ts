import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateBookingDto } from './create-booking.dto';

async function messages(body: object): Promise<string[]> {
  const errors = await validate(plainToInstance(CreateBookingDto, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('CreateBookingDto failCompensationsUntil', () => {
  it.each([0, Date.now(), Number.MAX_SAFE_INTEGER])('accepts the epoch-ms time %p', async (until) => {
    expect(await messages({ productId: 'room-1', failCompensationsUntil: until })).toEqual([]);
  });

  it.each([-1, 1.5, '1764658800000', Number.MAX_SAFE_INTEGER + 2])(
    'refuses %p with one message naming the field',
    async (until) => {
      expect(await messages({ productId: 'room-1', failCompensationsUntil: until })).toEqual([
        'failCompensationsUntil must be a time in epoch milliseconds (an integer >= 0, as Date.now() gives)',
      ]);
    },
  );
});

describe('CreateBookingDto failCompensation and slowInventoryMs', () => {
  it.each(['inventory', 'payment', 'order'])('accepts failCompensation %p', async (target) => {
    expect(await messages({ productId: 'room-1', failCompensation: target })).toEqual([]);
  });

  it.each(['confirm', true, ''])('refuses failCompensation %p, naming the services', async (target) => {
    expect(await messages({ productId: 'room-1', failCompensation: target })).toEqual([
      "failCompensation must be one of 'inventory', 'payment', 'order'",
    ]);
  });

  it.each([-1, 2501, 1.5, '100'])('refuses slowInventoryMs %p', async (ms) => {
    expect(await messages({ productId: 'room-1', slowInventoryMs: ms })).toEqual([
      'slowInventoryMs must be an integer from 0 to 2500',
    ]);
  });
});

describe('CreateBookingDto quantity', () => {
  it.each([1, 1000])('accepts %p', async (quantity) => {
    expect(await messages({ productId: 'room-1', quantity })).toEqual([]);
  });

  it.each([0, 1001, 2 ** 53 + 1, 1.5, '2'])('refuses %p with the bounds in the message', async (quantity) => {
    expect(await messages({ productId: 'room-1', quantity })).toEqual([
      'quantity must be an integer from 1 to 1000',
    ]);
  });
});
