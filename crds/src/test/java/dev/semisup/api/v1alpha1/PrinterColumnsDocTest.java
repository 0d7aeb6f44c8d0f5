package dev.semisup.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The {@code kubectl get ssr} table in docs/cluster.md shows the columns the committed CRD gives,
 * in its order: kubectl prints NAME, then the additionalPrinterColumns of priority 0 as listed.
 */
class PrinterColumnsDocTest {

  @Test
  void theDocumentedTableHasTheCrdsColumnsInItsOrder() throws Exception {
    JsonNode columns = new ObjectMapper(new YAMLFactory()).readTree(new File("semisupervisedruns.semisup.dev-v1.yml"))
        .at("/spec/versions/0/additionalPrinterColumns");
    List<String> header = new ArrayList<>(List.of("NAME"));
    columns.forEach(column -> {
      if (column.path("priority").asInt(0) == 0) {
        header.add(column.path("name").asText().toUpperCase(Locale.ROOT));
      }
    });
    List<String> tables = Files.readAllLines(Path.of("../docs/cluster.md")).stream()
        .filter(line -> line.startsWith("NAME ")).toList();
    assertThat(tables).as("kubectl get ssr tables in docs/cluster.md").isNotEmpty();
    for (String table : tables) {
      assertThat(List.of(table.trim().split("\\s+"))).as(table).containsExactlyElementsOf(header);
    }
  }
}
