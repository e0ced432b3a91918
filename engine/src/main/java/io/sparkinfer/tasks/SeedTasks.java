package io.sparkinfer.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the Self-Instruct seed file (JSON lines); a malformed line is an error naming file and line. */
public final class SeedTasks {
    private SeedTasks() {
    }

    public static List<SeedTask> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": seed tasks file not found");
        }
        ObjectMapper json = new ObjectMapper();
        List<SeedTask> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
            }
            JsonNode instruction = n.get("instruction");
            if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": missing or empty field 'instruction'");
            }
            List<SeedTask.Instance> instances = new ArrayList<>();
            JsonNode inst = n.get("instances");
            if (inst != null && inst.isArray()) {
                for (JsonNode x : inst) {
                    instances.add(new SeedTask.Instance(x.path("input").asText(""), x.path("output").asText("")));
                }
            }
            out.add(new SeedTask(n.path("id").asText("seed_" + i), instruction.asText(), instances,
                    n.path("is_classification").asBoolean(false)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no seed tasks");
        }
        return out;
    }
}
