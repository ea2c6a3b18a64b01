package dev.llmrelay.bus;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest {

  @Test
  void streamIdsTakenOnManyEventLoopsAtOnceAreAllDifferentAndShareTheNodesPart() throws Exception {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = IntStream.range(0, 4).mapToObj(i -> new Thread(() -> {
      try {
        start.await();
      } catch (InterruptedException e) {
        return;
      }
      for (int n = 0; n < 5_000; n++) {
        ids.add(Addresses.newStreamId());
      }
    })).toList();
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertEquals(20_000, ids.size());
    Set<String> nodes = new HashSet<>();
    for (String id : ids) {
      assertTrue(id.matches("[0-9a-f]{24}-[0-9a-f]{1,16}"), id);
      nodes.add(id.substring(0, 24));
    }
    assertEquals(1, nodes.size());
    assertEquals("llm.stream." + "x-1" + ".data", Addresses.data("x-1"));
  }
}
