package dev.llmrelay.bench;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TurnsTest {

  @Test
  void everyRoundIsEveryTargetOnceInAnOrderThatChangesFromRoundToRoundAndRunToRun() {
    assertEquals(List.of(0, 1, 2, 3, 4, 5), Benchmark.turns(6, 0));
    Set<Integer> afterTheFloor = new HashSet<>();
    for (int round = 0; round < 4; round++) {
      List<Integer> order = Benchmark.turns(6, round);
      assertEquals(Set.of(0, 1, 2, 3, 4, 5), new HashSet<>(order));
      assertEquals(6, order.size());
      assertEquals(order, Benchmark.turns(6, round), "the same in every run");
      int floor = order.indexOf(1);
      if (floor < 5) {
        afterTheFloor.add(order.get(floor + 1));
      }
    }
    assertTrue(afterTheFloor.size() > 1, "the target after the floor varies: " + afterTheFloor);
  }
}
