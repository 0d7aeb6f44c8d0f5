package dev.semisup.operator.testing;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.api.v1alpha1.EngineSpec;
import dev.semisup.api.v1alpha1.EngineType;
import dev.semisup.api.v1alpha1.SemiSupervisedRun;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.v1alpha1.StudentSpec;
import dev.semisup.api.v1alpha1.TeacherSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Small valid runs for tests. */
public final class Runs {

  public static final String NAMESPACE = "ml";
  public static final String SECRET = "s3-credentials";

  private Runs() {
  }

  public static SemiSupervisedRun run(String name) {
    SemiSupervisedRun run = new SemiSupervisedRun();
    run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    run.setSpec(spec());
    return run;
  }

  public static SemiSupervisedRunSpec spec() {
    SemiSupervisedRunSpec spec = new SemiSupervisedRunSpec();
    spec.getStorage().setEndpoint("http://minio.storage:9000");
    spec.getStorage().setBucket("semisup");
    spec.getStorage().setCredentialsSecret(SECRET);
    DataSpec data = new DataSpec();
    data.setClasses(3);
    data.setLabeled(source("s3://data/train-images-idx3-ubyte.gz", "s3://data/train-labels-idx1-ubyte.gz"));
    data.setUnlabeled(source("s3://data/pool-images-idx3-ubyte.gz", null));
    data.setValidation(source("s3://data/val-images-idx3-ubyte.gz", "s3://data/val-labels-idx1-ubyte.gz"));
    spec.setData(data);
    TeacherSpec teacher = new TeacherSpec();
    teacher.setArchitecture("cnn-large");
    spec.setTeacher(teacher);
    StudentSpec student = new StudentSpec();
    student.setArchitecture("cnn-small");
    spec.setStudent(student);
    spec.getSampling().setTopK(50);
    spec.getSampling().setTopP(1);
    spec.getSampling().setShards(2);
    return spec;
  }

  /** The student and its fine-tuning on torch-ddp: {@code nodes} pods of {@code gpusPerNode} GPUs each. */
  public static SemiSupervisedRunSpec withTorchDdpStudent(SemiSupervisedRunSpec spec, int nodes, int gpusPerNode) {
    spec.getStudent().setEngine(new EngineSpec(EngineType.TORCH_DDP, nodes, gpusPerNode));
    spec.getStudent().setFinetuneEngine(new EngineSpec(EngineType.TORCH_DDP, 1, gpusPerNode));
    return spec;
  }

  private static DataSourceSpec source(String uri, String labels) {
    DataSourceSpec source = new DataSourceSpec();
    source.setUri(uri);
    source.setFormat(DataFormat.IDX);
    source.setLabelsUri(labels);
    return source;
  }
}
