package io.switchboard.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void columnsArePaddedToTheWidestCellWithoutTrailingBlanks() {
    String out = new Table("NAME", "STATUS", "NOTE").row("n1", "UP", "").row("longer-name", "DOWN", "x").render();
    assertThat(out).isEqualTo(
        "NAME         STATUS  NOTE\n"
            + "n1           UP\n"
            + "longer-name  DOWN    x\n");
  }

  @Test
  void nullIsADashMissingCellsAreBlankAndLineBreaksAreSpaces() {
    String out = new Table("A", "B", "C").row(null, "two\nlines").row("x").render();
    assertThat(out).isEqualTo(
        "A  B          C\n"
            + "-  two lines\n"
            + "x\n");
  }

  @Test
  void tooManyCellsIsAnError() {
    assertThatThrownBy(() -> new Table("A").row("1", "2")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void numbersAreShortAndWholeNumbersHaveNoFraction() {
    assertThat(Table.number(3.0)).isEqualTo("3");
    assertThat(Table.number(0.0038)).isEqualTo("0.003800".replaceAll("0+$", ""));
    assertThat(Table.number(48.234567)).isEqualTo("48.23");
    assertThat(Table.number(1.5)).isEqualTo("1.5");
    assertThat(Table.number(Double.NaN)).isEqualTo("NaN");
    assertThat(Table.cell(0.25)).isEqualTo("0.25");
    assertThat(Table.cell(12L)).isEqualTo("12");
  }

  @Test
  void anEmptyTableIsItsHeader() {
    Table t = new Table("ID", "STATUS");
    assertThat(t.size()).isZero();
    assertThat(t.render()).isEqualTo("ID  STATUS\n");
  }
}
